import type { AgentRun } from '@agents/api';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../database/schema.js';

const time = (v: string | Date | undefined | null) => (v ? new Date(v) : null);

/** All SQL of agent_run_history. */
export class RunHistoryRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async upsert(run: AgentRun): Promise<void> {
    const s = run.status;
    const row = {
      uid: run.metadata.uid!,
      namespace: run.metadata.namespace!,
      name: run.metadata.name!,
      agent_name: run.spec.agentRef?.name ?? null,
      runtime_type: run.spec.runtime?.type ?? null,
      phase: s?.phase ?? null,
      reason: s?.reason ?? null,
      message: s?.message ?? null,
      idempotency_key: run.spec.idempotencyKey ?? null,
      spec: JSON.stringify(run.spec),
      status: s ? JSON.stringify(s) : null,
      resource_version: run.metadata.resourceVersion ?? null,
      created_at: time(run.metadata.creationTimestamp as string) ?? new Date(),
      started_at: time(s?.startedAt),
      finished_at: time(s?.finishedAt),
      deleted_at: null,
    };
    const { uid: _uid, created_at: _c, ...changes } = row;
    await this.db
      .insertInto('agent_run_history')
      .values(row)
      .onConflict((oc) => oc.column('uid').doUpdateSet({ ...changes, updated_at: sql`now()` }))
      .execute();
  }

  async markDeleted(uid: string): Promise<void> {
    await this.db
      .updateTable('agent_run_history')
      .set({ deleted_at: sql`now()` })
      .where('uid', '=', uid)
      .execute();
  }

  async byName(
    namespace: string,
    name: string,
  ): Promise<{ uid: string; phase: string | null; deleted_at: Date | null } | undefined> {
    return this.db
      .selectFrom('agent_run_history')
      .select(['uid', 'phase', 'deleted_at'])
      .where('namespace', '=', namespace)
      .where('name', '=', name)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
  }

  async recordJson(uid: string): Promise<string> {
    const r = await this.db.selectFrom('agent_run_history').selectAll().where('uid', '=', uid).executeTakeFirst();
    return r ? JSON.stringify(r) : '';
  }
}
