/**
 * The agent message on the wire (JSON). Producers in this repository write this shape; the control plane's parser
 * also accepts the looser shapes other publishers send (snake or camel case, nested under message/data).
 */
export interface AgentMessage {
  /** Unique per message; with the subject it is the dedupe key (and the JetStream Nats-Msg-Id). */
  message_id: string;
  /** RFC 3339. */
  timestamp: string;
  kind: string;
  role: 'system' | 'assistant' | 'user' | 'tool';
  content: string;
  agent_run_uid?: string;
  agent_run_name?: string;
  agent_run_namespace?: string;
  agent_id?: string;
  step_id?: string;
  /** Ordered sequence number within one producer's stream of a run (1-based). */
  seq?: number;
  stage?: string;
  channel?: string;
  attrs?: Record<string, unknown>;
}

export function encodeMessage(m: AgentMessage): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(m));
}

/** The JetStream stream every agent message lands in; both apps create it if absent (same config, idempotent). */
export const AGENT_COMMS_STREAM = {
  name: 'agent-comms',
  subjects: ['workflow.>', 'agents.workflow.>'],
  /** Redelivered publishes within this window are dropped by Nats-Msg-Id (nanoseconds). */
  duplicateWindowNs: 2 * 60 * 1_000_000_000,
  /** Messages are kept this long after the control plane stored them (nanoseconds). */
  maxAgeNs: 7 * 24 * 3600 * 1_000_000_000,
} as const;
