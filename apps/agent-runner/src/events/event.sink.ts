import type { RunLog } from '../workspace/workspace.files.js';
import type { EventSequencer, LifecyclePhase, OutputStream, RunnerEvent } from './event.builder.js';

export interface EventSinkDeps {
  log: RunLog;
  sequencer: EventSequencer;
  /** Undefined without NATS_URL: events then only reach the log and the console. */
  publish: ((event: RunnerEvent) => void) | undefined;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  now: () => Date;
}

/**
 * Where everything the run says goes: the provider's lines to the runner's own stdout/stderr (the container log),
 * every line and lifecycle step to the log file and, as numbered events, to NATS.
 */
export class EventSink {
  constructor(private readonly deps: EventSinkDeps) {}

  output(stream: OutputStream, line: string): void {
    const { deps } = this;
    (stream === 'stdout' ? deps.stdout : deps.stderr)(`${line}\n`);
    const now = deps.now();
    // An empty line carries no content: it goes to the log, not to NATS (agent messages need content).
    if (line === '') return deps.log.write(`${now.toISOString()} - ${stream} |`);
    const event = deps.sequencer.output(stream, line, now);
    deps.log.write(`${now.toISOString()} #${event.message.seq} ${stream} | ${line}`);
    deps.publish?.(event);
  }

  lifecycle(phase: LifecyclePhase, content: string, attrs: Record<string, unknown> = {}): void {
    const { deps } = this;
    const now = deps.now();
    const event = deps.sequencer.lifecycle(phase, content, attrs, now);
    deps.stderr(`agent-runner: ${content}\n`);
    deps.log.write(`${now.toISOString()} #${event.message.seq} status | ${phase}: ${content}`);
    deps.publish?.(event);
  }

  /** A message of the runner itself (not an event). */
  notice(text: string): void {
    this.deps.stderr(`agent-runner: ${text}\n`);
    this.deps.log.write(`${this.deps.now().toISOString()} - runner | ${text}`);
  }
}
