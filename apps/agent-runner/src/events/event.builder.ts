/**
 * The runner's events as agent messages on the run-scoped subject. Pure apart from its counter: the caller passes
 * the time. Every event gets the next sequence number of this runner process (1-based) and the message id
 * `<agentRun uid>:<runnerId>:<seq>`, unique across retried pods, which JetStream uses to drop redelivered publishes.
 */
import type { AgentMessage } from '@agents/nats';

export interface EventScope {
  /** agent-runner.json events.subjectPrefix: the run-scoped subject without its final kind token. */
  subjectPrefix: string;
  agentId: string;
  agentRun: { name: string; uid: string; namespace: string };
  runnerId: string;
}

export type OutputStream = 'stdout' | 'stderr';

/** The runner's lifecycle: `started`, then exactly one terminal phase. */
export type LifecyclePhase = 'started' | 'exited' | 'cancelled' | 'timed-out' | 'failed';

export interface RunnerEvent {
  subject: string;
  message: AgentMessage;
}

export const OUTPUT_KIND = 'output';
export const STATUS_KIND = 'status';

export class EventSequencer {
  private seq = 0;

  constructor(private readonly scope: EventScope) {}

  /** The last sequence number handed out. */
  get last(): number {
    return this.seq;
  }

  /** One line the provider wrote. */
  output(stream: OutputStream, line: string, now: Date): RunnerEvent {
    return this.next(OUTPUT_KIND, 'assistant', line, { stream }, now);
  }

  /** A lifecycle step of the runner. */
  lifecycle(phase: LifecyclePhase, content: string, attrs: Record<string, unknown>, now: Date): RunnerEvent {
    return this.next(STATUS_KIND, 'system', content, { phase, ...attrs }, now);
  }

  private next(
    kind: string,
    role: AgentMessage['role'],
    content: string,
    attrs: Record<string, unknown>,
    now: Date,
  ): RunnerEvent {
    this.seq += 1;
    const { agentRun, agentId, runnerId, subjectPrefix } = this.scope;
    return {
      subject: `${subjectPrefix}${kind}`,
      message: {
        message_id: `${agentRun.uid}:${runnerId}:${this.seq}`,
        timestamp: now.toISOString(),
        kind,
        role,
        content,
        agent_run_uid: agentRun.uid,
        agent_run_name: agentRun.name,
        agent_run_namespace: agentRun.namespace,
        agent_id: agentId,
        seq: this.seq,
        attrs: { ...attrs, runner_id: runnerId },
      },
    };
  }
}
