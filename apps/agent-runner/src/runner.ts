/**
 * One run of the provider, start to finish: read the input files, plan (pure), write what the provider needs, run it
 * with a timeout, stream its lines, write the terminal status and flush the events. Every way this can end — provider
 * success or failure, timeout, SIGTERM, bad input — ends with a status file and an exit code.
 */
import type { RunSpecFile, RunnerSpecFile } from '@agents/api';
import { mkdir, open } from 'node:fs/promises';
import type { RunnerConfig } from './config/runner.config.js';
import { parseRunSpec, parseRunnerSpec } from './contract/contract.parse.js';
import { EventSequencer, type LifecyclePhase } from './events/event.builder.js';
import { EventPublisher, type ConnectTransport } from './events/event.publisher.js';
import { EventSink } from './events/event.sink.js';
import { natsTransport } from './events/nats.transport.js';
import { mountedSystemPromptPath, outputPaths, planRun, type RunPlan } from './plan/run.plan.js';
import { ProviderProcess } from './process/provider.process.js';
import { rebaseWorkspacePath } from './plan/paths.util.js';
import { errorMessage } from './runner.errors.js';
import {
  exitCodeOf,
  parseLoopControl,
  runnerStatus,
  type LoopControlRead,
  type RunEnd,
  type StatusInput,
} from './status/runner.status.js';
import {
  RunLog,
  existingArtifacts,
  readInputFile,
  writePlannedFiles,
  writeStatusFile,
} from './workspace/workspace.files.js';

export interface RunnerDeps {
  now: () => Date;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** This process in message ids: the pod name, or a random id outside a pod. */
  runnerId: string;
  /** Overrides the NATS connection (tests). */
  connectEvents?: ConnectTransport;
}

/** The provider command for the status file, when the adapter has one. */
const binaryOf = (runner: RunnerSpecFile): { binary?: string } =>
  runner.adapter.exec ? { binary: runner.adapter.exec.binary } : {};

/** How many of the provider's last stderr lines the status keeps as the error of a failed run. */
const STDERR_TAIL_LINES = 20;

export class Runner {
  private cancelSignal: NodeJS.Signals | undefined;
  private provider: ProviderProcess | undefined;
  private timedOut = false;
  private finishing = false;
  private sink: EventSink | undefined;

  constructor(
    private readonly config: RunnerConfig,
    private readonly deps: RunnerDeps,
  ) {}

  /** SIGTERM/SIGINT: stop the provider (SIGKILL after the grace period) and report the run cancelled. */
  cancel(signal: NodeJS.Signals): void {
    if (this.finishing) return;
    if (this.cancelSignal) {
      this.notice(`received ${signal} again: killing the provider`);
      this.provider?.kill();
      return;
    }
    this.cancelSignal = signal;
    this.notice(`received ${signal}: stopping the provider (SIGKILL after ${this.config.killGraceMs / 1000}s)`);
    this.provider?.stop(this.config.killGraceMs);
  }

  /** Runs to the end and returns the exit code. */
  async run(): Promise<number> {
    const { config, deps } = this;
    const startedAt = deps.now();
    const [run, runner] = await Promise.allSettled([
      readInputFile(config.runSpecPath, 'the run spec (AGENT_RUN_SPEC)').then((t) =>
        parseRunSpec(t, config.runSpecPath),
      ),
      readInputFile(config.runnerSpecPath, 'the runner spec (AGENT_RUNNER_SPEC_PATH)').then((t) =>
        parseRunnerSpec(t, config.runnerSpecPath),
      ),
    ]);
    if (run.status === 'rejected' || runner.status === 'rejected') {
      const errors = [run, runner].flatMap((r) => (r.status === 'rejected' ? [errorMessage(r.reason)] : []));
      for (const e of errors) deps.stderr(`agent-runner: ${e}\n`);
      const { statusPath } = outputPaths(
        runner.status === 'fulfilled' ? runner.value : undefined,
        config.workspaceDir,
        config.statusPath,
      );
      await this.writeStatus(statusPath, { kind: 'runner-error', error: errors.join('; ') }, startedAt, {
        ...(runner.status === 'fulfilled' ? { provider: runner.value.provider, ...binaryOf(runner.value) } : {}),
      });
      return 1;
    }
    return this.runProvider(run.value, runner.value, startedAt);
  }

  private async runProvider(run: RunSpecFile, runner: RunnerSpecFile, startedAt: Date): Promise<number> {
    const { config, deps } = this;
    const paths = outputPaths(runner, config.workspaceDir, config.statusPath);
    const log = await RunLog.open(paths.logPath, (m) => deps.stderr(`agent-runner: ${m}\n`));
    const warn = (m: string) => this.notice(m);
    const publisher = this.publisher(runner, warn);
    const sink = new EventSink({
      log,
      sequencer: new EventSequencer({
        subjectPrefix: runner.events.subjectPrefix,
        agentId: runner.events.agentId,
        agentRun: run.agentRun,
        runnerId: deps.runnerId,
      }),
      publish: publisher ? (e) => publisher.publish(e) : undefined,
      stdout: deps.stdout,
      stderr: deps.stderr,
      now: deps.now,
    });
    this.sink = sink;
    if (!publisher) this.notice('NATS_URL is not set: events go to the log only');

    const stderrTail: string[] = [];
    let plan: RunPlan | undefined;
    let end: RunEnd;
    try {
      const mounted = mountedSystemPromptPath(runner, config.workspaceDir);
      plan = planRun({
        run,
        runner,
        workspaceDir: config.workspaceDir,
        runnerEnv: config.env,
        ...(mounted
          ? { mountedSystemPrompt: await readInputFile(mounted, 'the system prompt', 'SystemPromptUnreadable') }
          : {}),
        ...(config.statusPath ? { statusPathOverride: config.statusPath } : {}),
      });
      await writePlannedFiles(plan.files);
      await mkdir(plan.cwd, { recursive: true });
      end = this.cancelSignal
        ? { kind: 'cancelled', exitCode: null, signal: null, cancelSignal: this.cancelSignal }
        : await this.execute(plan, sink, stderrTail);
    } catch (err) {
      end = this.cancelSignal
        ? { kind: 'cancelled', exitCode: null, signal: null, cancelSignal: this.cancelSignal }
        : { kind: 'runner-error', error: errorMessage(err) };
    }
    this.finishing = true;

    const status = await this.writeStatus(paths.statusPath, end, startedAt, {
      provider: runner.provider,
      ...(plan ? { binary: plan.binary } : binaryOf(runner)),
      stderrTail,
      artifacts: plan ? await existingArtifacts(plan.outputArtifacts) : [],
      ...(runner.loop
        ? { loopControl: await readLoopControl(rebaseWorkspacePath(runner.loop.controlPath, config.workspaceDir)) }
        : {}),
    });
    sink.lifecycle(phaseOf(end), status.error ?? `the provider exited with code ${status.exitCode}`, {
      status: status.status,
      exit_code: status.exitCode,
      signal: status.signal ?? null,
      ...(status.error ? { error: status.error } : {}),
      ...(publisher?.dropped ? { dropped_events: publisher.dropped } : {}),
    });
    if (publisher) {
      const flush = await publisher.close(config.events.flushTimeoutMs);
      if (flush.dropped)
        this.notice(`${flush.dropped} output events were dropped: more than ${config.events.bufferSize} were waiting`);
      if (flush.undelivered)
        this.notice(
          `gave up delivering ${flush.undelivered} events to NATS after ${config.events.flushTimeoutMs / 1000}s; they are in ${paths.logPath}`,
        );
    }
    await log.close();
    return exitCodeOf(end);
  }

  private async execute(plan: RunPlan, sink: EventSink, stderrTail: string[]): Promise<RunEnd> {
    const provider = await ProviderProcess.start(
      { binary: plan.binary, args: plan.args, env: plan.env, cwd: plan.cwd },
      (stream, line) => {
        if (stream === 'stderr' && line.trim()) {
          stderrTail.push(line);
          if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
        }
        sink.output(stream, line);
      },
    );
    this.provider = provider;
    sink.lifecycle('started', `started ${plan.binary}`, { binary: plan.binary, pid: provider.pid });
    if (this.cancelSignal) provider.stop(this.config.killGraceMs);
    const { timeoutSeconds } = plan;
    const timer =
      timeoutSeconds === undefined
        ? undefined
        : setTimeout(() => {
            if (this.cancelSignal) return;
            this.timedOut = true;
            this.notice(`timed out after ${timeoutSeconds}s: stopping the provider`);
            provider.stop(this.config.killGraceMs);
          }, timeoutSeconds * 1000);
    const exit = await provider.exited;
    clearTimeout(timer);
    if (this.timedOut) return { kind: 'timed-out', ...exit, timeoutSeconds: timeoutSeconds! };
    if (this.cancelSignal) return { kind: 'cancelled', ...exit, cancelSignal: this.cancelSignal };
    return { kind: 'exited', ...exit };
  }

  private publisher(runner: RunnerSpecFile, warn: (m: string) => void): EventPublisher | undefined {
    const { events } = this.config;
    const connect =
      this.deps.connectEvents ??
      (events.natsUrl
        ? natsTransport({
            url: events.natsUrl,
            ...(events.natsUser ? { user: events.natsUser, password: events.natsPassword ?? '' } : {}),
            name: `${runner.events.agentId} ${this.deps.runnerId}`,
            warn,
          })
        : undefined);
    return connect ? new EventPublisher(connect, { bufferSize: events.bufferSize, warn }) : undefined;
  }

  private async writeStatus(
    file: string,
    end: RunEnd,
    startedAt: Date,
    extra: Pick<StatusInput, 'provider' | 'binary' | 'stderrTail' | 'artifacts' | 'loopControl'>,
  ) {
    const status = runnerStatus({ end, startedAt, finishedAt: this.deps.now(), ...extra });
    try {
      await writeStatusFile(file, status);
    } catch (err) {
      this.notice(`cannot write the status ${file}: ${errorMessage(err)}`);
    }
    return status;
  }

  private notice(text: string): void {
    if (this.sink) this.sink.notice(text);
    else this.deps.stderr(`agent-runner: ${text}\n`);
  }
}

function phaseOf(end: RunEnd): LifecyclePhase {
  switch (end.kind) {
    case 'exited':
      return 'exited';
    case 'timed-out':
      return 'timed-out';
    case 'cancelled':
      return 'cancelled';
    case 'runner-error':
      return 'failed';
  }
}

/** The loop control file the provider wrote (at most 64 KiB is read; the status can carry far less anyway). */
async function readLoopControl(path: string): Promise<LoopControlRead> {
  let text: string;
  try {
    const handle = await open(path, 'r');
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, 0);
      text = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    return { kind: 'invalid', why: `cannot read ${path}: ${errorMessage(err)}` };
  }
  return parseLoopControl(text, path);
}
