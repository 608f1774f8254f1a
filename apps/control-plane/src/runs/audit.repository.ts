import type { Kysely } from 'kysely';
import type { Database } from '../database/schema.js';

/** One change made through the control plane: who did what to which resource. */
export interface AuditEvent {
  actor: string;
  action: string;
  kind?: string;
  namespace?: string;
  name?: string;
  details?: Record<string, unknown>;
}

/** All SQL of audit_events: who changed what through the control plane. */
export class AuditRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async record(e: AuditEvent): Promise<void> {
    await this.db
      .insertInto('audit_events')
      .values({
        actor: e.actor,
        action: e.action,
        kind: e.kind ?? null,
        namespace: e.namespace ?? null,
        name: e.name ?? null,
        details: e.details ? JSON.stringify(e.details) : null,
      })
      .execute();
  }

  async recent(limit = 50): Promise<{ action: string; kind: string | null; name: string | null }[]> {
    return this.db
      .selectFrom('audit_events')
      .select(['action', 'kind', 'name'])
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }
}
