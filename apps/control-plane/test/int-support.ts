// Helpers shared by the gRPC, fuzz and agentctl integration specs: calls by RPC name, stream readers, the chart
// examples, and the two other programs (the controllers and agentctl) started as child processes from their builds.
import { ALL_KINDS } from '@agents/api';
import { KubeApi } from '@agents/kube';
import {
  authMetadata,
  unary,
  type AgentctlServiceClient,
  type ClientReadableStream,
  type SubmitAgentRunRequest,
} from '@agents/proto/client';
import { freePort, spawnService, testKubeConfig, type ServiceProcess } from '@agents/testing';
import type { CallOptions, Metadata, ServiceError } from '@grpc/grpc-js';
import { KubeConfig } from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

const APPS = path.resolve(import.meta.dirname, '../..');
export const EXAMPLES_DIR = path.resolve(APPS, '../charts/agents/examples');

type UnaryMethod = (
  req: unknown,
  metadata: Metadata,
  options: Partial<CallOptions>,
  cb: (err: ServiceError | null, res: unknown) => void,
) => unknown;

/** Calls a unary RPC by its client method name (`getAgent`, `listMemories`, …). */
export function rpc<T = unknown>(
  client: AgentctlServiceClient,
  method: string,
  req: unknown,
  token?: string,
  timeoutMs?: number,
): Promise<T> {
  const fn = (client as unknown as Record<string, UnaryMethod | undefined>)[method];
  if (typeof fn !== 'function') throw new Error(`the generated client has no method ${method}`);
  return unary(fn.bind(client), req, token, timeoutMs) as Promise<T>;
}

/** The error a call failed with; fails the test when the call succeeded. */
export async function failure(call: Promise<unknown>): Promise<ServiceError> {
  let result: unknown;
  try {
    result = await call;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error(`expected the call to fail, it answered ${JSON.stringify(result).slice(0, 300)}`);
}

/** A server stream read into an array; `ended` resolves when it ends (with its error, if any). */
export interface StreamReader<T> {
  items: T[];
  ended: Promise<ServiceError | undefined>;
  cancel(): void;
}

export function readStream<T>(call: ClientReadableStream<T>): StreamReader<T> {
  const items: T[] = [];
  call.on('data', (d: T) => items.push(d));
  const ended = new Promise<ServiceError | undefined>((resolve) => {
    call.on('error', (err: ServiceError) => resolve(err));
    call.on('end', () => resolve(undefined));
  });
  return { items, ended, cancel: () => call.cancel() };
}

export { authMetadata };

/** A SubmitAgentRun request with every field (the generated encoder needs them all). */
export function submitRequest(o: Partial<SubmitAgentRunRequest> & { namespace: string }): SubmitAgentRunRequest {
  return {
    agentName: '',
    implementationName: '',
    runtimeType: 'job',
    runtimeConfig: [],
    parameters: [],
    idempotencyKey: '',
    workload: undefined,
    memoryRef: '',
    vcsRef: '',
    vcsPolicyMode: '',
    vcsPolicyRequired: false,
    name: '',
    ...o,
  };
}

export interface Example {
  file: string;
  kind: string;
  name: string;
  yaml: string;
  object: { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> } } & Record<
    string,
    unknown
  >;
}

/** Every manifest of charts/agents/examples (one object per file). */
export function examples(): Example[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const yaml = readFileSync(path.join(EXAMPLES_DIR, file), 'utf8');
      const object = parse(yaml) as Example['object'];
      return { file, kind: object.kind, name: object.metadata.name, yaml, object };
    });
}

export function example(file: string): Example {
  const e = examples().find((x) => x.file === file);
  if (!e) throw new Error(`no example ${file} in ${EXAMPLES_DIR}`);
  return e;
}

export const KIND_NAMES = ALL_KINDS.map((k) => k.kind);

/** An admin client of the test cluster. */
export function adminApi(): Promise<KubeApi> {
  return KubeApi.fromKubeConfig(testKubeConfig(), { qps: 0 });
}

/** A kubeconfig file for a child process; `server` replaces the cluster address (e.g. a TcpProxy in front of it). */
export function kubeconfigFile(kc: KubeConfig, server?: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cp-kubeconfig-')), 'kubeconfig');
  if (server) {
    const cluster = kc.getCurrentCluster();
    const user = kc.getCurrentUser();
    if (!cluster || !user) throw new Error('the test kubeconfig has no current cluster or user');
    const copy = new KubeConfig();
    copy.loadFromOptions({
      clusters: [{ ...cluster, name: 'proxied', server }],
      users: [user],
      contexts: [{ name: 'proxied', cluster: 'proxied', user: user.name }],
      currentContext: 'proxied',
    });
    kc = copy;
  }
  writeFileSync(file, kc.exportConfig());
  return file;
}

/** The controllers (apps/controllers/dist/main.js) for the given namespaces, as their own int tests start them. */
export async function startControllers(
  namespaces: string[],
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  return spawnService({
    command: process.execPath,
    args: [path.join(APPS, 'controllers/dist/main.js')],
    httpPort: port,
    readyPath: '/readyz',
    readyTimeoutMs: 60_000,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NO_COLOR: '1',
      KUBECONFIG: process.env.KUBECONFIG,
      JANGAR_PORT: String(port),
      JANGAR_POD_NAMESPACE: namespaces[0],
      JANGAR_POD_NAME: `controllers-${port}`,
      JANGAR_AGENTS_CONTROLLER_NAMESPACES: namespaces.join(','),
      JANGAR_AGENT_RUNNER_IMAGE: 'ghcr.io/proompteng/agents-runner:test',
      JANGAR_AGENTS_CONTROLLER_DEPENDENCY_GRACE_SECONDS: '0',
      JANGAR_LEADER_ELECTION_LEASE_DURATION_SECONDS: '6',
      JANGAR_LEADER_ELECTION_RENEW_DEADLINE_SECONDS: '4',
      JANGAR_LEADER_ELECTION_RETRY_PERIOD_SECONDS: '1',
      ...env,
    },
  });
}

export interface AgentctlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface AgentctlProcess {
  stdout(): string;
  stderr(): string;
  exited: Promise<AgentctlResult>;
  kill(): void;
}

/**
 * The built agentctl bundle (apps/agentctl/dist/agentctl.cjs) as a user runs it, with no config file and only the
 * given AGENTCTL_* variables (the same contract as apps/agentctl/test/support, which an app may not import).
 */
export function startAgentctl(
  args: readonly string[],
  o: { server: string; namespace: string; token?: string; timeoutMs?: number },
): AgentctlProcess {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AGENTCTL_')) env[k] = v;
  env.AGENTCTL_CONFIG = path.join(mkdtempSync(path.join(tmpdir(), 'agentctl-')), 'config.json');
  env.AGENTCTL_SERVER = o.server;
  env.AGENTCTL_NAMESPACE = o.namespace;
  env.NO_COLOR = '1';
  if (o.token) env.AGENTCTL_TOKEN = o.token;
  const child = spawn(process.execPath, [path.join(APPS, 'agentctl/dist/agentctl.cjs'), ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
  const exited = new Promise<AgentctlResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
  return { stdout: () => stdout, stderr: () => stderr, exited, kill: () => child.kill('SIGTERM') };
}

export function runAgentctl(
  args: readonly string[],
  o: { server: string; namespace: string; token?: string; timeoutMs?: number },
): Promise<AgentctlResult> {
  return startAgentctl(args, o).exited;
}

/** mulberry32: a small seeded PRNG, so a failing fuzz run reproduces with its printed seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
