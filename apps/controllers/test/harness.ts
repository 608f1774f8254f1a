import { CUSTOM, KubeApi, type Manifest } from '@agents/kube';
import { eventually, freePort, spawnService, testKubeConfig, type ServiceProcess } from '@agents/testing';
import type { KubeConfig } from '@kubernetes/client-node';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const MAIN = path.resolve(import.meta.dirname, '../dist/main.js');

export { freePort };

/** Writes a kubeconfig to a temp file for a child process. */
export function kubeconfigFile(kc: KubeConfig): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'agents-kc-')), 'kubeconfig');
  writeFileSync(file, kc.exportConfig());
  return file;
}

export interface ControllersProcess extends ServiceProcess {
  port: number;
}

export interface StartOptions {
  namespaces: string[];
  env?: Record<string, string>;
  kubeconfig?: string;
  /** Resolve once /readyz answers 200 (default) — else as soon as the process started. */
  waitReady?: boolean;
}

/** Starts the built controllers (apps/controllers/dist/main.js) as a child process, as production runs them. */
export async function startControllers(opts: StartOptions): Promise<ControllersProcess> {
  const port = await freePort();
  const service = await spawnService({
    command: process.execPath,
    args: [MAIN],
    httpPort: port,
    readyPath: (opts.waitReady ?? true) ? '/readyz' : undefined,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NO_COLOR: '1',
      KUBECONFIG: opts.kubeconfig ?? process.env.KUBECONFIG,
      JANGAR_PORT: String(port),
      JANGAR_POD_NAMESPACE: opts.namespaces[0]!,
      JANGAR_POD_NAME: `controllers-${port}`,
      JANGAR_AGENTS_CONTROLLER_NAMESPACES: opts.namespaces.join(','),
      JANGAR_AGENT_RUNNER_IMAGE: 'ghcr.io/proompteng/agents-runner:test',
      JANGAR_AGENTS_CONTROLLER_DEPENDENCY_GRACE_SECONDS: '0',
      JANGAR_LEADER_ELECTION_LEASE_DURATION_SECONDS: '6',
      JANGAR_LEADER_ELECTION_RENEW_DEADLINE_SECONDS: '4',
      JANGAR_LEADER_ELECTION_RETRY_PERIOD_SECONDS: '1',
      ...opts.env,
    },
  });
  return Object.assign(service, { port });
}

/** An admin client of the test cluster. */
export async function adminApi(): Promise<KubeApi> {
  return KubeApi.fromKubeConfig(testKubeConfig(), { qps: 0 });
}

/** Creates an object of one of our kinds (by its `kind`) or a built-in given its resource. */
export async function create(api: KubeApi, obj: Manifest & { kind: string }): Promise<void> {
  const resource = CUSTOM[obj.kind];
  if (!resource) throw new Error(`not one of our kinds: ${obj.kind}`);
  await api.create(resource, obj);
}

/** A shell provider, an agent with a system prompt and an implementation spec: what a job run needs. */
export async function createRunnableSet(
  api: KubeApi,
  ns: string,
  agent = 'agent',
  agentSpec: Record<string, unknown> = {},
): Promise<void> {
  const g = 'agents.proompteng.ai/v1alpha1';
  await create(api, {
    apiVersion: g,
    kind: 'AgentProvider',
    metadata: { name: 'shell', namespace: ns },
    spec: { binary: '/bin/sh', argsTemplate: ['-c', 'echo hi'] },
  }).catch(ignoreExists);
  await create(api, {
    apiVersion: g,
    kind: 'ImplementationSpec',
    metadata: { name: 'task', namespace: ns },
    spec: { text: 'Say hi', summary: 'hi' },
  }).catch(ignoreExists);
  await create(api, {
    apiVersion: g,
    kind: 'Agent',
    metadata: { name: agent, namespace: ns },
    spec: { providerRef: { name: 'shell' }, defaults: { systemPrompt: 'be brief' }, ...agentSpec },
  });
}

const ignoreExists = (err: unknown) => {
  if (!(err instanceof Error && err.message.includes('409'))) throw err;
};

export interface RunOptions {
  agent?: string;
  /** kwok: how long the pod runs (Go duration), its exit code, its termination message. */
  runFor?: string;
  exitCode?: number;
  terminationMessage?: string;
  spec?: Record<string, unknown>;
  config?: Record<string, unknown>;
  annotations?: Record<string, string>;
}

export function runManifest(ns: string, name: string, o: RunOptions = {}): Manifest & { kind: string } {
  const podAnnotations: Record<string, string> = {};
  if (o.runFor) podAnnotations['sim.agents.dev/run-for'] = o.runFor;
  if (o.exitCode !== undefined) podAnnotations['sim.agents.dev/exit-code'] = String(o.exitCode);
  if (o.terminationMessage) podAnnotations['sim.agents.dev/termination-message'] = o.terminationMessage;
  return {
    apiVersion: 'agents.proompteng.ai/v1alpha1',
    kind: 'AgentRun',
    metadata: { name, namespace: ns, ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: {
      agentRef: { name: o.agent ?? 'agent' },
      implementationSpecRef: { name: 'task' },
      runtime: { type: 'job', config: { podAnnotations, ...o.config } },
      ...o.spec,
    },
  };
}

export interface RunView {
  metadata: { name: string; uid: string; finalizers?: string[]; deletionTimestamp?: string };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: { type: string; status: string; reason: string; message: string }[];
    runtimeRef?: { name?: string };
    runner?: Record<string, unknown>;
  };
}

export async function getRun(api: KubeApi, ns: string, name: string): Promise<RunView | undefined> {
  return api.get<RunView>(CUSTOM.AgentRun!, ns, name);
}

/** Waits until the run reaches `phase` and returns it. */
export async function waitForPhase(
  api: KubeApi,
  ns: string,
  name: string,
  phase: string,
  timeoutMs = 30_000,
): Promise<RunView> {
  return eventually(
    async () => {
      const run = await getRun(api, ns, name);
      if (run?.status?.phase !== phase) {
        throw new Error(
          `AgentRun ${name} is ${run?.status?.phase ?? '(no phase)'} ${run?.status?.reason ?? ''}: ${run?.status?.message ?? ''}`,
        );
      }
      return run;
    },
    { timeoutMs, what: `AgentRun ${ns}/${name} to be ${phase}` },
  );
}

export const condition = (run: RunView | undefined, type: string) =>
  run?.status?.conditions?.find((c) => c.type === type);
