import { setTimeout as sleep } from 'node:timers/promises';
import type { MikroORM } from '@mikro-orm/postgresql';

/** Arbitrary but fixed: every instance of the service takes the same lock to migrate. */
const MIGRATION_LOCK_KEY = 7_311_220_241_220;
const LOCK_POLL_MS = 100;

/**
 * Runs migrations while holding a session-level advisory lock on a connection of its own. Several
 * instances may start at once: the first takes the lock and migrates; the others wait on it, then
 * find nothing pending. A session lock is released when its connection closes, even if the
 * process dies, so it can never be left behind.
 *
 * The lock is not held in the migrations' transaction: some migrations must not run inside one
 * (CREATE INDEX CONCURRENTLY, batched backfills of a large table), and CREATE INDEX CONCURRENTLY
 * waits for every open transaction, which would include a transaction holding the lock. Each
 * transactional migration runs in its own transaction (allOrNothing is off in ormConfig).
 */
async function underLock<T>(orm: MikroORM, work: () => Promise<T>): Promise<T> {
  const pool = await orm.em.getConnection().getNativeClient();
  const client = await pool.connect();
  try {
    // Polled, not waited for in one statement: a statement waiting on the lock keeps a snapshot
    // open, and CREATE INDEX CONCURRENTLY in the holder's migration waits for every such
    // snapshot to end: the two instances would wait on each other forever.
    for (;;) {
      const { rows } = await client.query<{ locked: boolean }>(
        'select pg_try_advisory_lock($1) as locked',
        [MIGRATION_LOCK_KEY],
      );
      if (rows[0].locked) break;
      await sleep(LOCK_POLL_MS);
    }
    try {
      return await work();
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

export async function migrateUp(orm: MikroORM): Promise<string[]> {
  return underLock(orm, async () => (await orm.migrator.up()).map((migration) => migration.name));
}

/** Reverts the latest applied migration, under the same lock as {@link migrateUp}. */
export async function migrateDown(orm: MikroORM): Promise<string[]> {
  return underLock(orm, async () => (await orm.migrator.down()).map((migration) => migration.name));
}

export async function pendingMigrations(orm: MikroORM): Promise<string[]> {
  const pending = await orm.migrator.getPending();
  return pending.map((migration) => migration.name);
}
