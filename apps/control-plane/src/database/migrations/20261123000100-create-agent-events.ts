import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('agent_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('agent_run_uid', 'text')
    .addColumn('agent_run_name', 'text')
    .addColumn('agent_run_namespace', 'text')
    .addColumn('agent_id', 'text')
    .addColumn('step_id', 'text')
    .addColumn('run_id', 'text')
    .addColumn('channel', 'text')
    .addColumn('stage', 'text')
    .addColumn('seq', 'integer')
    .addColumn('attrs', 'jsonb')
    .addColumn('message_timestamp', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('agent_events_run_uid_id').on('agent_events').columns(['agent_run_uid', 'id']).execute();
  await db.schema
    .createIndex('agent_events_run_name_id')
    .on('agent_events')
    .columns(['agent_run_namespace', 'agent_run_name', 'id'])
    .execute();
  await db.schema
    .createIndex('agent_events_run_time')
    .on('agent_events')
    .columns(['agent_run_uid', 'message_timestamp'])
    .execute();
  await db.schema.createIndex('agent_events_created_at').on('agent_events').column('created_at').execute();

  await db.schema
    .createTable('ingest_dead_letters')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('stream_seq', 'bigint')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ingest_dead_letters').execute();
  await db.schema.dropTable('agent_events').execute();
}
