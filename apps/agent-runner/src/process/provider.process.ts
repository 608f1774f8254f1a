import { spawn, type ChildProcess } from 'node:child_process';
import type { OutputStream } from '../events/event.builder.js';
import { RunnerError, errorMessage } from '../runner.errors.js';
import { LineSplitter } from './line.splitter.js';

export interface ProviderCommand {
  binary: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

export interface ProviderExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export type LineHandler = (stream: OutputStream, line: string) => void;

/** How long output may still arrive after the provider exited (children that inherited its stdout). */
const DRAIN_MS = 1000;

/**
 * The provider as a child process: no shell, stdin from /dev/null, stdout and stderr read line by line. It runs in
 * its own process group, so stopping it also stops what it started (a shell script's `sleep`, a tool's workers).
 */
export class ProviderProcess {
  private killTimer: NodeJS.Timeout | undefined;
  private done = false;

  private constructor(
    private readonly child: ChildProcess,
    /** Resolves once the provider exited and its output was read to the end. */
    readonly exited: Promise<ProviderExit>,
  ) {
    void exited.then(() => {
      this.done = true;
      clearTimeout(this.killTimer);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Starts the provider; rejects with a SpawnFailed RunnerError when it cannot run (missing binary, no permission). */
  static start(command: ProviderCommand, onLine: LineHandler): Promise<ProviderProcess> {
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(command.binary, command.args, {
          cwd: command.cwd,
          env: command.env,
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        });
      } catch (err) {
        reject(new RunnerError('SpawnFailed', `cannot start ${command.binary}: ${errorMessage(err)}`, { cause: err }));
        return;
      }
      const streams = { stdout: child.stdout!, stderr: child.stderr! };
      const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
      const closed = (['stdout', 'stderr'] as const).map((name) => {
        streams[name].on('data', (chunk: Buffer) => {
          for (const line of splitters[name].push(chunk)) onLine(name, line);
        });
        return new Promise<void>((r) => streams[name].once('close', () => r()));
      });
      const exited = new Promise<ProviderExit>((r) =>
        child.once('exit', (exitCode, signal) => r({ exitCode, signal })),
      ).then(async (exit) => {
        const drained = await Promise.race([
          Promise.all(closed).then(() => true),
          new Promise<boolean>((r) => setTimeout(() => r(false), DRAIN_MS)),
        ]);
        if (!drained) {
          // Something the provider started still holds its output open: stop it, keep what was read.
          signalGroup(child, 'SIGKILL');
          streams.stdout.destroy();
          streams.stderr.destroy();
        }
        for (const name of ['stdout', 'stderr'] as const) for (const line of splitters[name].end()) onLine(name, line);
        return exit;
      });
      child.once('error', (err) => {
        if (child.pid === undefined)
          reject(new RunnerError('SpawnFailed', `cannot start ${command.binary}: ${err.message}`, { cause: err }));
      });
      child.once('spawn', () => resolve(new ProviderProcess(child, exited)));
    });
  }

  /** SIGTERM to the provider's group now, SIGKILL after graceMs if it is still running. */
  stop(graceMs: number): void {
    if (this.done || this.killTimer) return;
    signalGroup(this.child, 'SIGTERM');
    this.killTimer = setTimeout(() => signalGroup(this.child, 'SIGKILL'), graceMs);
  }

  /** SIGKILL to the provider's group now. */
  kill(): void {
    if (!this.done) signalGroup(this.child, 'SIGKILL');
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone (everyone exited); the leader may remain as a zombie until reaped: nothing to signal.
    child.kill(signal);
  }
}
