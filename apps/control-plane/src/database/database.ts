import { Logger } from '@nestjs/common';
import { Kysely, PostgresDialect } from 'kysely';
import { Migrator, type MigrationResultSet } from 'kysely/migration';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { MIGRATIONS } from './migrations/index.js';
import type { Database } from './schema.js';

const logger = new Logger('Database');

export interface DatabaseConfig {
  url: string;
  caFile: string | undefined;
  poolMax: number;
}

/** A pool for the app's queries; TLS with the given CA when PGSSLROOTCERT is set. */
export function createPool(c: DatabaseConfig): pg.Pool {
  const pool = new pg.Pool({
    connectionString: c.url,
    max: c.poolMax,
    connectionTimeoutMillis: 10_000,
    statement_timeout: 30_000,
    ...(c.caFile ? { ssl: { ca: readFileSync(c.caFile, 'utf8'), rejectUnauthorized: true } } : {}),
  });
  // An idle client whose connection dies (Postgres restarted, network cut) is dropped by the pool; the next query
  // opens a new one, and the queries that fail meanwhile report it. Without a listener the error would end the process.
  pool.on('error', (err) => logger.warn(`Idle Postgres connection lost: ${err.message}`));
  // The same for a client that is checked out between two queries (inside a transaction): its pending work fails
  // through the query's own error, so the connection-level error only needs noting here.
  pool.on('connect', (client) =>
    client.on('error', (err) => logger.warn(`Postgres connection in use lost: ${err.message}`)),
  );
  return pool;
}

export function createDatabase(pool: pg.Pool): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Applies pending migrations. Kysely's migrator takes a Postgres advisory lock for the duration, so replicas starting
 * together apply each migration once; applying again is a no-op.
 */
export async function migrate(db: Kysely<Database>): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(
      `database migration ${failed ?? ''} failed: ${result.error instanceof Error ? result.error.message : String(result.error)}`,
      {
        cause: result.error,
      },
    );
  }
  return result;
}
