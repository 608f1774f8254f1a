// Driving runs from outside: agentctl against the stack's control plane, and the agent runner as a local process.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { kubectl, REPO_ROOT } from './stack.js';

const AGENTCTL = path.join(REPO_ROOT, 'apps/agentctl/dist/agentctl.cjs');
const RUNNER = path.join(REPO_ROOT, 'apps/agent-runner/dist/main.js');

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs agentctl with a clean environment (no user config) against `server`. */
export async function agentctl(
  server: string,
  namespace: string,
  args: string[],
  timeoutMs = 120_000,
): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [AGENTCTL, ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NO_COLOR: '1',
        AGENTCTL_SERVER: server,
        AGENTCTL_NAMESPACE: namespace,
        // A file that does not exist: no user configuration leaks in.
        AGENTCTL_CONFIG: path.join(tmpdir(), 'agents-e2e-no-such-agentctl-config.json'),
      },
      timeout: timeoutMs,
      maxBuffer: 16 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message };
  }
}

export interface RunnerResult {
  code: number | null;
  status: { status: string; exitCode?: number } | undefined;
  output: string;
}

/**
 * Runs the agent runner on this machine for a run the controllers prepared: its run.json and agent-runner.json come
 * from the run's `<name>-spec` ConfigMap, the workspace is a local directory, events go to `natsUrl`. (Job pods are
 * simulated by kwok on the local cluster: this is the part of the pod that runs for real.) A fixed runner id makes a
 * repeat publish the same message ids, which NATS and Postgres deduplicate.
 */
export async function runRunnerLocally(o: {
  namespace: string;
  run: string;
  natsUrl: string;
  workDir: string;
  runnerId?: string;
}): Promise<RunnerResult> {
  const cm = JSON.parse(kubectl(['get', 'configmap', `${o.run}-spec`, '-n', o.namespace, '-o', 'json'])) as {
    data: Record<string, string>;
  };
  const dir = path.join(o.workDir, o.namespace, o.run);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'run.json'), cm.data['run.json']!);
  writeFileSync(path.join(dir, 'agent-runner.json'), cm.data['agent-runner.json']!);
  let output = '';
  const child = spawn(process.execPath, [RUNNER], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AGENT_RUN_SPEC: path.join(dir, 'run.json'),
      AGENT_RUNNER_SPEC_PATH: path.join(dir, 'agent-runner.json'),
      AGENT_RUNNER_ID: o.runnerId ?? 'local',
      NATS_URL: o.natsUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  let status: RunnerResult['status'];
  try {
    status = JSON.parse(readFileSync(path.join(dir, '.agent/status.json'), 'utf8')) as RunnerResult['status'];
  } catch {
    status = undefined;
  }
  return { code, status, output };
}

/** Waits until the run's spec ConfigMap exists (the controllers wrote it with the Job). */
export async function waitForRunSpec(namespace: string, run: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      kubectl(['get', 'configmap', `${run}-spec`, '-n', namespace, '-o', 'name']);
      return;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`the controllers did not prepare ${namespace}/${run} within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
