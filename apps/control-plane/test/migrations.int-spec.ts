import { createTestDatabase, type TestDatabase } from '@agents/testing';
import { sql } from 'kysely';
import { createDatabase, createPool, migrate } from '../src/database/database.js';

// Migrations apply once whatever happens: twice in a row, or from two replicas at the same moment.
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('cp_migrations');
});
afterAll(() => db.drop());

it('applies every migration, is a no-op the second time, and survives two concurrent runs', async () => {
  const pools = [
    createPool({ url: db.url, caFile: undefined, poolMax: 2 }),
    createPool({ url: db.url, caFile: undefined, poolMax: 2 }),
  ];
  const [a, b] = pools.map(createDatabase) as [ReturnType<typeof createDatabase>, ReturnType<typeof createDatabase>];
  try {
    const [ra, rb] = await Promise.all([migrate(a), migrate(b)]);
    const applied = [...(ra.results ?? []), ...(rb.results ?? [])]
      .filter((r) => r.status === 'Success')
      .map((r) => r.migrationName);
    expect(applied.sort()).toEqual([
      '20261123000100-create-agent-events',
      '20261123000200-create-run-history-audit-webhooks',
      '20261207000100-drop-unqueried-agent-event-indexes',
    ]);
    const again = await migrate(a);
    expect(again.results).toEqual([]);
    const tables = await a.introspection.getTables();
    expect(tables.map((t) => t.name).sort()).toEqual(
      expect.arrayContaining([
        'agent_events',
        'agent_run_history',
        'audit_events',
        'ingest_dead_letters',
        'webhook_deliveries',
      ]),
    );
    // What reads agent events is indexed, and nothing else is (each index costs every insert).
    const indexes = await sql<{ indexname: string }>`
      select indexname from pg_indexes where tablename = 'agent_events' order by indexname`.execute(a);
    expect(indexes.rows.map((r) => r.indexname)).toEqual([
      'agent_events_dedupe_key_key',
      'agent_events_pkey',
      'agent_events_run_name_id',
      'agent_events_run_uid_id',
    ]);
  } finally {
    await a.destroy();
    await b.destroy();
  }
});
