import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** int8 columns come back from pg as strings; we read them as numbers (ids stay below 2^53). */
type Int8 = ColumnType<string, number | string | undefined, number | string>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** Every agent message ingested from NATS (runner output, lifecycle, phase changes): the durable event history. */
export interface AgentEventsTable {
  id: Generated<string>;
  /** `<subject>:<message id>`: the same message delivered twice is stored once. */
  dedupe_key: string;
  subject: string;
  kind: string;
  role: string;
  content: string;
  agent_run_uid: string | null;
  agent_run_name: string | null;
  agent_run_namespace: string | null;
  agent_id: string | null;
  step_id: string | null;
  run_id: string | null;
  channel: string | null;
  stage: string | null;
  seq: number | null;
  attrs: JSONColumnType<Record<string, unknown>> | null;
  message_timestamp: Timestamp;
  created_at: Generated<Timestamp>;
}

/** Messages that could not be parsed: kept with the reason, never block the stream. */
export interface IngestDeadLettersTable {
  id: Generated<string>;
  subject: string;
  stream_seq: Int8 | null;
  reason: string;
  payload: string;
  received_at: Generated<Timestamp>;
}

/** One row per AgentRun ever seen, kept after the CR is deleted by retention. */
export interface AgentRunHistoryTable {
  uid: string;
  namespace: string;
  name: string;
  agent_name: string | null;
  runtime_type: string | null;
  phase: string | null;
  reason: string | null;
  message: string | null;
  idempotency_key: string | null;
  spec: JSONColumnType<Record<string, unknown>>;
  status: JSONColumnType<Record<string, unknown>> | null;
  resource_version: string | null;
  created_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  updated_at: Generated<Timestamp>;
  deleted_at: Timestamp | null;
}

/** Who did what through the control plane (gRPC mutations). */
export interface AuditEventsTable {
  id: Generated<string>;
  occurred_at: Generated<Timestamp>;
  actor: string;
  action: string;
  kind: string | null;
  namespace: string | null;
  name: string | null;
  details: JSONColumnType<Record<string, unknown>> | null;
}

/** Inbound webhook deliveries (ImplementationSource ingestion), deduplicated by provider and delivery id. */
export interface WebhookDeliveriesTable {
  id: Generated<string>;
  provider: string;
  delivery_id: string;
  received_at: Generated<Timestamp>;
  status: string;
  attempts: Generated<number>;
  error: string | null;
  payload: JSONColumnType<Record<string, unknown>>;
  processed_at: Timestamp | null;
}

export interface Database {
  agent_events: AgentEventsTable;
  ingest_dead_letters: IngestDeadLettersTable;
  agent_run_history: AgentRunHistoryTable;
  audit_events: AuditEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}
