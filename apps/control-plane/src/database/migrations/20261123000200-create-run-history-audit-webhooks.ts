import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('agent_run_history')
    .addColumn('uid', 'text', (c) => c.primaryKey())
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('agent_name', 'text')
    .addColumn('runtime_type', 'text')
    .addColumn('phase', 'text')
    .addColumn('reason', 'text')
    .addColumn('message', 'text')
    .addColumn('idempotency_key', 'text')
    .addColumn('spec', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'jsonb')
    .addColumn('resource_version', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('deleted_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('agent_run_history_ns_name')
    .on('agent_run_history')
    .columns(['namespace', 'name', 'created_at'])
    .execute();
  await db.schema
    .createIndex('agent_run_history_phase')
    .on('agent_run_history')
    .columns(['namespace', 'phase'])
    .execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('kind', 'text')
    .addColumn('namespace', 'text')
    .addColumn('name', 'text')
    .addColumn('details', 'jsonb')
    .execute();
  await db.schema.createIndex('audit_events_occurred_at').on('audit_events').column('occurred_at').execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('processed_at', 'timestamptz')
    .addUniqueConstraint('webhook_deliveries_provider_delivery', ['provider', 'delivery_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhook_deliveries').execute();
  await db.schema.dropTable('audit_events').execute();
  await db.schema.dropTable('agent_run_history').execute();
}
