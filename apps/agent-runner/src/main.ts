#!/usr/bin/env node
// The agent runner: the program of every AgentRun Job pod (see runner.ts). Exits with the provider's exit code.
import { randomBytes } from 'node:crypto';
import { RunnerConfigError, loadRunnerConfig, type RunnerConfig } from './config/runner.config.js';
import { errorMessage } from './runner.errors.js';
import { Runner } from './runner.js';
import { runnerStatus } from './status/runner.status.js';
import { writeStatusFile } from './workspace/workspace.files.js';

const stderr = (text: string) => void process.stderr.write(text);

async function main(): Promise<number> {
  const startedAt = new Date();
  let config: RunnerConfig;
  try {
    config = loadRunnerConfig();
  } catch (err) {
    if (!(err instanceof RunnerConfigError)) throw err;
    stderr(`agent-runner: ${err.message}\n`);
    const end = { kind: 'runner-error', error: err.message } as const;
    await writeStatusFile(err.statusPath, runnerStatus({ end, startedAt, finishedAt: new Date() })).catch(
      (e: unknown) => stderr(`agent-runner: cannot write the status ${err.statusPath}: ${errorMessage(e)}\n`),
    );
    return 1;
  }
  const runner = new Runner(config, {
    now: () => new Date(),
    stdout: (text) => void process.stdout.write(text),
    stderr,
    runnerId: config.runnerId ?? `local-${randomBytes(4).toString('hex')}`,
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => runner.cancel(signal));
  return runner.run();
}

// process.exit: an open NATS socket or a leftover timer must not keep a finished runner alive.
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    stderr(`agent-runner: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
