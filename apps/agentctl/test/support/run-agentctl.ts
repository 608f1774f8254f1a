// Runs the built agentctl as a user would: a child process with its own environment. Reusable by the end-to-end
// tests against a real control plane: runAgentctl(['run', 'submit', …], { server, namespace, token }).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The esbuild bundle `pnpm build` writes. */
export const AGENTCTL_BUNDLE = path.resolve(import.meta.dirname, '../../dist/agentctl.cjs');

export interface AgentctlOptions {
  /** → AGENTCTL_SERVER */
  server?: string;
  /** → AGENTCTL_NAMESPACE */
  namespace?: string;
  /** → AGENTCTL_TOKEN */
  token?: string;
  /** More variables; `undefined` removes one. AGENTCTL_* of the calling process are never inherited. */
  env?: Record<string, string | undefined>;
  /** Written to stdin (then closed); stdin is empty otherwise. */
  stdin?: string;
  /** The executable: the bundle (default), or e.g. the single executable application; AGENTCTL_BINARY overrides. */
  binary?: string;
  /** Killed (SIGKILL) after this long; default 60 s. */
  timeoutMs?: number;
  cwd?: string;
}

export interface AgentctlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface AgentctlProcess {
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited (killed = code -1). */
  exited: Promise<AgentctlResult>;
  kill(signal?: NodeJS.Signals): void;
}

let isolatedConfig: string | undefined;

/** A config file path that does not exist, so a developer's own ~/.config/agentctl never leaks into a test. */
function noConfigFile(): string {
  isolatedConfig ??= path.join(mkdtempSync(path.join(tmpdir(), 'agentctl-test-')), 'config.json');
  return isolatedConfig;
}

function command(binary: string | undefined): [string, string[]] {
  const bin = binary ?? process.env.AGENTCTL_BINARY ?? AGENTCTL_BUNDLE;
  return /\.(c|m)?js$/.test(bin) ? [process.execPath, [bin]] : [bin, []];
}

function environment(o: AgentctlOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AGENTCTL_')) env[k] = v;
  env.AGENTCTL_CONFIG = noConfigFile();
  if (o.server !== undefined) env.AGENTCTL_SERVER = o.server;
  if (o.namespace !== undefined) env.AGENTCTL_NAMESPACE = o.namespace;
  if (o.token !== undefined) env.AGENTCTL_TOKEN = o.token;
  for (const [k, v] of Object.entries(o.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Starts agentctl and returns at once: read its output while it runs (follow, watch), then await `exited`. */
export function startAgentctl(args: readonly string[], o: AgentctlOptions = {}): AgentctlProcess {
  const [cmd, prefix] = command(o.binary);
  const child = spawn(cmd, [...prefix, ...args], {
    env: environment(o),
    cwd: o.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.on('error', () => undefined);
  child.stdin.end(o.stdin ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
  const exited = new Promise<AgentctlResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
  return { stdout: () => stdout, stderr: () => stderr, exited, kill: (signal) => child.kill(signal) };
}

/** Runs agentctl to completion. */
export function runAgentctl(args: readonly string[], o: AgentctlOptions = {}): Promise<AgentctlResult> {
  return startAgentctl(args, o).exited;
}
