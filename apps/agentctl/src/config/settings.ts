// Which server, namespace and token a command uses: flag > environment > config file > default (pure).
import { usageError } from '../cli.errors.js';
import {
  DEFAULT_GRPC_PORT,
  DEFAULT_NAMESPACE,
  DEFAULT_SERVER,
  DEFAULT_TIMEOUT_MS,
  type AgentctlEnvironment,
} from './agentctl.config.js';
import type { ConfigFile } from './config-file.js';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The global flags as commander parsed them (undefined = not given). */
export interface GlobalFlags {
  server?: string;
  address?: string;
  namespace?: string;
  token?: string;
  output?: string;
  timeout?: number;
}

/** Where a setting came from, spelled for messages: `--server`, `AGENTCTL_SERVER`, `config file /x.json`, `default`. */
export interface Sourced<T> {
  value: T;
  source: 'flag' | 'env' | 'file' | 'default';
  origin: string;
}

export interface Settings {
  server: Sourced<string>;
  namespace: Sourced<string>;
  token?: Sourced<string>;
  output: OutputFormat;
  timeoutMs: number;
  configPath: string;
}

function pick(
  candidates: readonly (Omit<Sourced<string>, 'value'> & { value: string | undefined })[],
): Sourced<string> | undefined {
  for (const c of candidates) {
    if (c.value !== undefined && c.value.trim() !== '') return { ...c, value: c.value.trim() };
  }
  return undefined;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Checks a namespace name; `origin` names the flag, variable or file it came from. */
export function normalizeNamespace(value: string, origin: string): string {
  if (value.length > 63 || !DNS_LABEL.test(value)) {
    throw usageError(
      `invalid value '${value}' for ${origin}: expected a Kubernetes namespace name ` +
        `(at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit)`,
    );
  }
  return value;
}

/**
 * Turns what a user typed into a gRPC target: `host:port` (a missing port is 50051), `[v6]:port`, `dns:`/`unix:`
 * targets as they are; `http://` and `grpc://` prefixes are dropped, `https://` is refused (agentctl speaks plaintext
 * gRPC; TLS belongs to a mesh or gateway).
 */
export function normalizeServer(input: string, origin: string): string {
  const bad = (expected: string) => usageError(`invalid value '${input}' for ${origin}: ${expected}`);
  let value = input.trim();
  if (/^https:\/\//i.test(value)) {
    throw bad('agentctl speaks plaintext gRPC, so https:// is not supported; expected host:port');
  }
  if (/^(dns|unix|unix-abstract|ipv4|ipv6):/i.test(value)) return value;
  value = value.replace(/^(http|grpc):\/\//i, '').replace(/\/+$/, '');
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d+))?$/.exec(value);
  if (!m) throw bad('expected host:port, e.g. agents-grpc.agents.svc.cluster.local:50051 or 127.0.0.1:50051');
  const port = m[3] === undefined ? DEFAULT_GRPC_PORT : Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad('the port must be between 1 and 65535');
  return `${m[1]}:${port}`;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `500ms`, `30s`, `2m`, `1h` or a bare number of seconds, in milliseconds; undefined when it is none of these. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1000);
  return ms > 0 && Number.isFinite(ms) ? Math.round(ms) : undefined;
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

export function isOutputFormat(value: string): value is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(value);
}

/** Resolves every global setting; throws a usage error naming the flag, variable or file of a bad value. */
export function resolveSettings(flags: GlobalFlags, env: AgentctlEnvironment, file: ConfigFile): Settings {
  const fileOrigin = (key: string) => `"${key}" in the config file ${env.configPath}`;
  const server = pick([
    { value: flags.server, source: 'flag', origin: '--server' },
    { value: flags.address, source: 'flag', origin: '--address' },
    { value: env.server?.value, source: 'env', origin: env.server?.variable ?? 'AGENTCTL_SERVER' },
    { value: file.server, source: 'file', origin: fileOrigin('server') },
  ]) ?? { value: DEFAULT_SERVER, source: 'default', origin: 'default' };
  const namespace = pick([
    { value: flags.namespace, source: 'flag', origin: '-n/--namespace' },
    { value: env.namespace, source: 'env', origin: 'AGENTCTL_NAMESPACE' },
    { value: file.namespace, source: 'file', origin: fileOrigin('namespace') },
  ]) ?? { value: DEFAULT_NAMESPACE, source: 'default', origin: 'default' };
  const token = pick([
    { value: flags.token, source: 'flag', origin: '--token' },
    { value: env.token, source: 'env', origin: 'AGENTCTL_TOKEN' },
    { value: file.token, source: 'file', origin: fileOrigin('token') },
  ]);
  const output = flags.output ?? 'table';
  if (!isOutputFormat(output)) {
    throw usageError(`invalid value '${output}' for -o/--output: expected one of ${OUTPUT_FORMATS.join(', ')}`);
  }
  return {
    server: { ...server, value: normalizeServer(server.value, server.origin) },
    namespace: { ...namespace, value: normalizeNamespace(namespace.value, namespace.origin) },
    ...(token ? { token } : {}),
    output,
    timeoutMs: flags.timeout ?? DEFAULT_TIMEOUT_MS,
    configPath: env.configPath,
  };
}
