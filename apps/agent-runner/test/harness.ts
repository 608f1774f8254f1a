/** Runs the built runner (dist/main.js) as a real process against run files in a temporary workspace. */
import type { RunSpecFile, RunnerSpecFile, RunnerStatusFile } from '@agents/api';
import { eventually } from '@agents/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const RUNNER_MAIN = path.resolve(import.meta.dirname, '../dist/main.js');
export const PROVIDER = path.resolve(import.meta.dirname, 'fixtures/provider.sh');
chmodSync(PROVIDER, 0o755);

export interface RunnerProcess {
  child: ChildProcess;
  /** The workspace: run.json, agent-runner.json, .agent/ (status, log, prompts). */
  dir: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the runner wrote to stdout and stderr so far. */
  output(): string;
  status(): RunnerStatusFile;
  log(): string;
  /** Resolves once the runner's log file contains text. */
  waitForLog(text: string): Promise<void>;
}

export interface StartOptions {
  /** The workspace to use (default: a new temporary directory). */
  dir?: string;
  /** More files to put in the workspace first, by relative path. */
  files?: Record<string, string>;
  /** run.json content: an object, raw text, or null for no file. */
  run?: RunSpecFile | string | null;
  runner?: RunnerSpecFile | string | null;
  env?: Record<string, string>;
}

const created: string[] = [];
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temporary directory, removed after the test file. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'agent-runner-'));
  created.push(dir);
  return dir;
}

export function startRunner(o: StartOptions = {}): RunnerProcess {
  const dir = o.dir ?? tempDir();
  const files = { ...o.files, 'run.json': o.run, 'agent-runner.json': o.runner };
  for (const [name, content] of Object.entries(files)) {
    if (content === null || content === undefined) continue;
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  let output = '';
  const child = spawn(process.execPath, [RUNNER_MAIN], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      AGENT_RUN_SPEC: path.join(dir, 'run.json'),
      AGENT_RUNNER_SPEC_PATH: path.join(dir, 'agent-runner.json'),
      ...o.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const log = () => {
    const file = path.join(dir, '.agent/runner.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  };
  return {
    child,
    dir,
    exited,
    output: () => output,
    status: () => JSON.parse(readFileSync(path.join(dir, '.agent/status.json'), 'utf8')) as RunnerStatusFile,
    log,
    waitForLog: async (text) => {
      await eventually(() => expect(log()).toContain(text), { what: `"${text}" in the runner log` });
    },
  };
}

/** Runs the runner to the end. */
export async function runRunner(o: StartOptions = {}) {
  const p = startRunner(o);
  const { code, signal } = await p.exited;
  return { ...p, code, signal };
}
