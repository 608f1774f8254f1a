import type { Kysely } from 'kysely';

// No query reads agent events by (run, message time) or by insertion time, and every index costs each insert: at
// 5,000 events/s the two made a third of Postgres's index writes. A reader that needs one adds it with its query.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('agent_events_run_time').ifExists().execute();
  await db.schema.dropIndex('agent_events_created_at').ifExists().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('agent_events_run_time')
    .ifNotExists()
    .on('agent_events')
    .columns(['agent_run_uid', 'message_timestamp'])
    .execute();
  await db.schema
    .createIndex('agent_events_created_at')
    .ifNotExists()
    .on('agent_events')
    .column('created_at')
    .execute();
}
