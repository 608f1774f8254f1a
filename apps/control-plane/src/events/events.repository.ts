import { sql, type Kysely } from 'kysely';
import type { Database } from '../database/schema.js';
import type { EventRow } from './event-parser.js';

/** An event as stored and served: the row id is the SSE event id. */
export interface StoredEvent {
  id: number;
  kind: string;
  role: string;
  content: string;
  agentRunUid: string | null;
  agentRunName: string | null;
  agentRunNamespace: string | null;
  agentId: string | null;
  stepId: string | null;
  seq: number | null;
  attrs: Record<string, unknown> | null;
  timestamp: string;
  subject: string;
}

/** Which events a reader wants: one run (by uid, or by namespace and name), or a whole namespace. */
export type EventFilter = { uid: string } | { namespace: string; name: string } | { namespace: string };

export interface DeadLetter {
  subject: string;
  streamSeq: number;
  reason: string;
  payload: string;
}

/** Channel notified (with the highest new id) after every committed batch. */
export const EVENTS_CHANNEL = 'agent_events';
/** Serialises inserts so ids are committed in order: a reader that has seen id N has seen every id below N. */
const INSERT_LOCK = 0x41_47_45_56; // "AGEV"

type Row = Awaited<ReturnType<EventsRepository['selectQuery']>>[number];

function toStored(r: Row): StoredEvent {
  return {
    id: Number(r.id),
    kind: r.kind,
    role: r.role,
    content: r.content,
    agentRunUid: r.agent_run_uid,
    agentRunName: r.agent_run_name,
    agentRunNamespace: r.agent_run_namespace,
    agentId: r.agent_id,
    stepId: r.step_id,
    seq: r.seq,
    attrs: r.attrs,
    timestamp: new Date(r.message_timestamp).toISOString(),
    subject: r.subject,
  };
}

/** All SQL of agent events and dead letters. */
export class EventsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Inserts a batch in one transaction (duplicates by dedupe key are skipped), records the dead letters, and
   * notifies listeners at commit. Returns the ids of the rows actually inserted (readers get the rows from the
   * notification: the insert sends none of them back).
   */
  async insertBatch(rows: EventRow[], deadLetters: DeadLetter[]): Promise<number[]> {
    return this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${INSERT_LOCK})`.execute(trx);
      const inserted = rows.length
        ? await trx
            .insertInto('agent_events')
            .values(rows.map((r) => ({ ...r, attrs: r.attrs ? JSON.stringify(r.attrs) : null })))
            .onConflict((oc) => oc.column('dedupe_key').doNothing())
            .returning('id')
            .execute()
        : [];
      if (deadLetters.length) {
        await trx
          .insertInto('ingest_dead_letters')
          .values(
            deadLetters.map((d) => ({
              subject: d.subject,
              stream_seq: d.streamSeq,
              reason: d.reason,
              payload: d.payload,
            })),
          )
          .execute();
      }
      const ids = inserted.map((r) => Number(r.id));
      if (ids.length)
        await sql`select pg_notify(${EVENTS_CHANNEL}, ${String(ids.reduce((a, b) => Math.max(a, b)))})`.execute(trx);
      return ids;
    });
  }

  private selectQuery(filter: EventFilter | undefined, afterId: number, limit: number) {
    let q = this.db.selectFrom('agent_events').selectAll().where('id', '>', String(afterId));
    if (filter && 'uid' in filter) q = q.where('agent_run_uid', '=', filter.uid);
    else if (filter && 'name' in filter)
      q = q.where('agent_run_namespace', '=', filter.namespace).where('agent_run_name', '=', filter.name);
    else if (filter) q = q.where('agent_run_namespace', '=', filter.namespace);
    return q.orderBy('id').limit(limit).execute();
  }

  /** Events after `afterId`, oldest first. */
  async after(filter: EventFilter | undefined, afterId: number, limit = 1000): Promise<StoredEvent[]> {
    return (await this.selectQuery(filter, afterId, limit)).map(toStored);
  }

  async maxId(): Promise<number> {
    const r = await this.db
      .selectFrom('agent_events')
      .select((eb) => eb.fn.max('id').as('max'))
      .executeTakeFirst();
    return Number(r?.max ?? 0);
  }

  async deadLetters(limit = 100): Promise<{ subject: string; reason: string; payload: string }[]> {
    return this.db
      .selectFrom('ingest_dead_letters')
      .select(['subject', 'reason', 'payload'])
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }
}
