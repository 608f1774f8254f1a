import { AGENT_COMMS_STREAM, ensureAgentCommsStream } from '@agents/nats';
import { Logger } from '@nestjs/common';
import { AckPolicy, connect, DeliverPolicy, type ConsumerMessages, type JsMsg, type NatsConnection } from 'nats';
import { parseAgentMessage } from './event-parser.js';
import type { DeadLetter, EventsRepository } from './events.repository.js';
import type { EventRow } from './event-parser.js';

export interface IngestConfig {
  url: string;
  user?: string;
  password?: string;
  /** Durable consumer shared by every replica of one deployment. */
  consumer: string;
  /** The subjects it takes from the stream (empty: all of them). */
  subjects: readonly string[];
  batchSize: number;
}

/** The consumer's subject filter: none for the whole stream, one subject, or several (NATS 2.10+). */
export function subjectFilter(subjects: readonly string[]): { filter_subject?: string; filter_subjects?: string[] } {
  const all = AGENT_COMMS_STREAM.subjects;
  if (!subjects.length || (subjects.length === all.length && all.every((s) => subjects.includes(s)))) return {};
  return subjects.length === 1 ? { filter_subject: subjects[0]! } : { filter_subjects: [...subjects] };
}

const sameFilter = (a: { filter_subject?: string; filter_subjects?: string[] }, b: typeof a) =>
  (a.filter_subject || '') === (b.filter_subject || '') &&
  JSON.stringify(a.filter_subjects ?? []) === JSON.stringify(b.filter_subjects ?? []);

export interface IngestMetrics {
  inserted(n: number): void;
  duplicates(n: number): void;
  deadLettered(n: number): void;
  batch(size: number, ms: number): void;
  error(): void;
}

/**
 * Moves agent messages from JetStream to Postgres: a durable pull consumer (one per deployment, shared by replicas),
 * batches parsed and inserted in one transaction (idempotent by dedupe key), acknowledged only after the commit.
 * Malformed messages go to the dead-letter table with the reason and are acknowledged: they never block the stream.
 * When Postgres is down the batch is not acknowledged (redelivered later); when NATS is down it reconnects.
 */
export class IngestService {
  private readonly logger = new Logger(IngestService.name);
  private nc: NatsConnection | undefined;
  /** The stream and the durable consumer were set up on `nc` (redone after any failure). */
  private consuming = false;
  private announced = false;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private messages: ConsumerMessages | undefined;
  connected = false;
  lastError: string | undefined;

  constructor(
    private readonly config: IngestConfig,
    private readonly events: EventsRepository,
    private readonly metrics: IngestMetrics,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.messages?.stop();
    await this.nc?.close().catch(() => undefined);
    await this.loop;
  }

  /**
   * The connection, with the stream and the durable consumer made sure of. A failure after connecting (JetStream not
   * ready yet, a stream that overlaps ours, a consumer deleted by hand) leaves the connection open; the next attempt
   * sets them up again on it instead of assuming they exist.
   */
  private async connection(): Promise<NatsConnection> {
    if (!this.nc || this.nc.isClosed()) {
      this.nc = await this.connect();
      this.consuming = false;
    }
    if (!this.consuming) {
      await this.setUp(this.nc);
      this.consuming = true;
    }
    return this.nc;
  }

  private async connect(): Promise<NatsConnection> {
    const nc = await connect({
      servers: this.config.url,
      user: this.config.user,
      pass: this.config.password,
      name: 'agents-control-plane',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      timeout: 2000,
    });
    void this.watchStatus(nc);
    return nc;
  }

  /** Creates the stream and the durable consumer if absent, and brings the consumer's subject filter up to date. */
  private async setUp(nc: NatsConnection): Promise<void> {
    const jsm = await nc.jetstreamManager({ timeout: 5000 });
    await ensureAgentCommsStream(jsm);
    const filter = subjectFilter(this.config.subjects);
    const existing = await jsm.consumers.info(AGENT_COMMS_STREAM.name, this.config.consumer).catch(() => undefined);
    if (!existing) {
      await jsm.consumers
        .add(AGENT_COMMS_STREAM.name, {
          durable_name: this.config.consumer,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: 30_000_000_000,
          max_ack_pending: 20_000,
          max_deliver: -1,
          ...filter,
        })
        .catch((err: unknown) => {
          if (!String(err).includes('already')) throw err;
        });
    } else if (!sameFilter(existing.config, filter)) {
      // JANGAR_AGENT_COMMS_SUBJECTS changed: the durable follows it (its position in the stream is kept).
      this.logger.log(`Updating the subject filter of consumer ${this.config.consumer}`);
      await jsm.consumers.update(AGENT_COMMS_STREAM.name, this.config.consumer, {
        filter_subject: filter.filter_subject ?? '',
        ...(filter.filter_subjects || existing.config.filter_subjects
          ? { filter_subjects: filter.filter_subjects ?? [] }
          : {}),
      });
    }
    if (!this.announced)
      this.logger.log(`Consuming ${AGENT_COMMS_STREAM.name} as ${this.config.consumer} from ${this.config.url}`);
    this.announced = true;
  }

  /** The consumer rides out NATS restarts by itself; readiness follows the connection meanwhile. */
  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        this.connected = false;
        this.lastError = `disconnected from ${String(s.data)}`;
        this.logger.warn(`NATS connection lost (${String(s.data)}); reconnecting`);
      } else if (s.type === 'reconnect') {
        this.connected = true;
        this.lastError = undefined;
        this.logger.log(`NATS connection restored (${String(s.data)})`);
      }
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const nc = await this.connection();
        const consumer = await nc.jetstream().consumers.get(AGENT_COMMS_STREAM.name, this.config.consumer);
        const messages = await consumer.consume({ max_messages: this.config.batchSize * 2 });
        this.messages = messages;
        this.connected = true;
        this.lastError = undefined;
        for await (const batch of this.batches(messages)) {
          await this.store(batch);
          // Only a stored batch proves the path works again.
          if (failures > 0) this.logger.log(`Ingest recovered after ${failures} failed attempt(s)`);
          failures = 0;
        }
        if (!this.stopped) throw new Error('the JetStream consumer stopped');
      } catch (err) {
        if (this.stopped) break;
        failures += 1;
        this.connected = false;
        this.lastError = err instanceof Error ? err.message : String(err);
        this.metrics.error();
        this.consuming = false;
        if (failures === 1 || failures % 20 === 0)
          this.logger.warn(`Ingest failed (${failures} since the last stored batch): ${this.lastError}`);
        if (this.nc?.isClosed()) this.nc = undefined;
        await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** Math.min(failures, 6))));
      } finally {
        this.messages?.stop();
        this.messages = undefined;
      }
    }
    this.connected = false;
  }

  /**
   * What has arrived, each time the previous batch is stored: one message at a time under light load (no waiting to
   * fill a batch), up to `batchSize` under heavy load (one transaction for many). Messages still buffered when the
   * caller stops (a failed insert) are handed back for redelivery.
   */
  private async *batches(messages: ConsumerMessages): AsyncGenerator<JsMsg[]> {
    const pending: JsMsg[] = [];
    let done = false;
    let closed = false;
    let failure: unknown;
    let wake: (() => void) | undefined;
    void (async () => {
      try {
        for await (const m of messages) {
          if (closed) m.nak(2000);
          else pending.push(m);
          wake?.();
        }
      } catch (err) {
        failure = err;
      } finally {
        done = true;
        wake?.();
      }
    })();
    try {
      for (;;) {
        if (pending.length) {
          yield pending.splice(0, this.config.batchSize);
          continue;
        }
        if (done) {
          if (failure) throw failure;
          return;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      closed = true;
      for (const m of pending.splice(0)) m.nak(2000);
    }
  }

  private async store(messages: JsMsg[]): Promise<void> {
    const started = performance.now();
    const unique: EventRow[] = [];
    const sources = new Map<string, JsMsg>();
    let parsedCount = 0;
    const deadLetters: DeadLetter[] = [];
    for (const m of messages) {
      const parsed = parseAgentMessage({
        subject: m.subject,
        data: m.data,
        msgId: m.headers?.get('Nats-Msg-Id') || undefined,
        streamSeq: m.seq,
        receivedAt: new Date(Math.floor(m.info.timestampNanos / 1e6)),
      });
      if (parsed.ok) {
        parsedCount += 1;
        // Two messages with one dedupe key in one batch: keep the first (the insert would conflict with itself).
        if (!sources.has(parsed.row.dedupe_key)) {
          sources.set(parsed.row.dedupe_key, m);
          unique.push(parsed.row);
        }
      } else deadLetters.push(deadLetter(m, parsed.reason));
    }
    const malformed = deadLetters.length;
    let inserted: number;
    try {
      inserted = (await this.events.insertBatch(unique, deadLetters)).length;
    } catch (err) {
      if (!isDataError(err)) {
        // Not stored: ask for redelivery after a pause instead of waiting out the ack timeout.
        for (const m of messages) m.nak(2000);
        throw err;
      }
      // Postgres refused a row the parser let through: store the batch row by row, so that one row never holds back
      // the others, and dead-letter what is refused.
      inserted = 0;
      for (const row of unique) {
        try {
          inserted += (await this.events.insertBatch([row], [])).length;
        } catch (rowErr) {
          if (!isDataError(rowErr)) {
            for (const m of messages) m.nak(2000);
            throw rowErr;
          }
          deadLetters.push(
            deadLetter(sources.get(row.dedupe_key)!, `refused by Postgres: ${(rowErr as Error).message}`),
          );
        }
      }
      await this.events.insertBatch([], deadLetters);
    }
    this.metrics.inserted(inserted);
    this.metrics.duplicates(parsedCount - inserted - (deadLetters.length - malformed));
    this.metrics.deadLettered(deadLetters.length);
    for (const m of messages) m.ack();
    this.metrics.batch(messages.length, performance.now() - started);
  }
}

function deadLetter(m: JsMsg, reason: string): DeadLetter {
  return {
    subject: m.subject,
    streamSeq: m.seq,
    reason,
    payload: Buffer.from(m.data).toString('utf8').replaceAll('\u0000', ''),
  };
}

/** A Postgres error about the data itself (SQLSTATE classes 22, 23, 54), not about reaching the database. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}
