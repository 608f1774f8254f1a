import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { usageError } from '../cli.errors.js';

/** The settings agentctl keeps in its config file (`address` is read as an older spelling of `server`). */
export interface ConfigFile {
  server?: string;
  namespace?: string;
  token?: string;
}

export const CONFIG_KEYS = ['server', 'namespace', 'token'] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

async function readRaw(file: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw usageError(`cannot read the config file ${file}: ${(err as Error).message}`);
  }
  if (!text.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw usageError(`the config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw usageError(`the config file ${file} must hold a JSON object such as {"server": "host:50051"}`);
  }
  return parsed as Record<string, unknown>;
}

/** Reads the config file; a missing file is an empty config. */
export async function readConfigFile(file: string): Promise<{ exists: boolean; config: ConfigFile }> {
  const raw = await readRaw(file);
  if (!raw) return { exists: false, config: {} };
  const config: ConfigFile = {};
  for (const key of [...CONFIG_KEYS, 'address'] as const) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') {
      throw usageError(`the config file ${file}: "${key}" must be a string, got ${JSON.stringify(value)}`);
    }
    if (!value.trim()) continue;
    if (key === 'address') config.server ??= value.trim();
    else config[key] = value.trim();
  }
  return { exists: true, config };
}

/**
 * Sets (or, for an empty value, removes) keys of the config file, keeping keys it does not know. The file holds a
 * token, so it is written readable by its owner only.
 */
export async function updateConfigFile(file: string, changes: Partial<Record<ConfigKey, string>>): Promise<void> {
  const raw = (await readRaw(file)) ?? {};
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (key === 'server') delete raw.address;
    if (value === '') delete raw[key];
    else raw[key] = value;
  }
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(raw, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}
