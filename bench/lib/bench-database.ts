import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { EmbeddedPostgresServer } from '../../src/database/embedded-postgres.server.js';
import { migrateUp } from '../../src/database/migration-runner.js';
import { ormConfig } from '../../src/database/orm.config.js';

/** A migrated database for one benchmark run, on a given server or an embedded one. */
export interface BenchDatabase {
  readonly url: string;
  readonly server: string;
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Empties both tables between scenarios. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A fresh database, dropped on close; or, with `keep`, the database of that name, created when it
 * is missing and never dropped, so that a 10M history seeded once serves several runs (its pages
 * then carry the hint bits the earlier runs' reads set: a first run on it is the honest one).
 */
export async function openBenchDatabase(
  adminUrl: string | undefined,
  keep?: string,
): Promise<BenchDatabase> {
  let root: string | undefined;
  let embedded: EmbeddedPostgresServer | undefined;
  if (adminUrl === undefined) {
    if (keep !== undefined) {
      throw new Error('--keep needs a server of yours (BENCH_DATABASE_URL or --database-url)');
    }
    root = await mkdtemp(join(tmpdir(), 'flowflex-bench-'));
    embedded = await EmbeddedPostgresServer.start({ dataDir: join(root, 'pg'), persistent: false });
    adminUrl = embedded.url('postgres');
  }
  if (keep !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(keep)) {
    throw new Error('--keep takes a database name: lower-case letters, digits and _');
  }
  const name = keep ?? `ff_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const existing = await admin.query('select 1 from pg_database where datname = $1', [name]);
  const reused = existing.rowCount === 1;
  if (!reused) await admin.query(`create database ${name}`);
  const version = (await admin.query<{ server_version: string }>('show server_version')).rows[0];
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;

  const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  // A kept history is marked as the bench's, so that --keep never seeds into a database of yours.
  if (keep !== undefined && reused) {
    const [marked] = (
      await pool.query<{ table: string | null }>(
        `select to_regclass('bench_seeded_history') as table`,
      )
    ).rows;
    if (marked.table === null) {
      await pool.end();
      throw new Error(`${name} exists and holds no bench history: --keep takes a new name`);
    }
  }
  const orm = await MikroORM.init(ormConfig(url.toString()));
  await orm.connect();
  await migrateUp(orm);
  await orm.close();
  if (keep !== undefined && !reused) {
    await pool.query(`create table bench_seeded_history (rows bigint not null,
      seed_order text not null, seeded_at timestamptz not null default now())`);
  }

  return {
    url: url.toString(),
    server: `PostgreSQL ${version.server_version}${embedded ? ' (embedded)' : ''}`,
    query: async <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) =>
      (await pool.query<R>(sql, params)).rows,
    reset: async () => {
      await pool.query('truncate ff_events, ff_stage_completion_log');
      await pool.query('analyze ff_events');
    },
    close: async () => {
      await pool.end();
      if (keep !== undefined) return;
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
      await embedded?.stop();
      if (root) await rm(root, { recursive: true, force: true });
    },
  };
}
