import pg from 'pg';
import { uniqueName } from './eventually.js';

/** Server URL used to create test databases: $AGENTS_TEST_POSTGRES_URL or the local trust-auth server. */
export function postgresServerUrl(): string {
  return process.env.AGENTS_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates an empty database of its own for one test file. */
export async function createTestDatabase(prefix = 'agents_test'): Promise<TestDatabase> {
  const server = postgresServerUrl();
  const name = uniqueName(prefix).replace(/-/g, '_');
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
