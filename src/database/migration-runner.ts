import type { MikroORM } from '@mikro-orm/postgresql';

/** Arbitrary but fixed: every instance of the service takes the same lock to migrate. */
const MIGRATION_LOCK_KEY = 7_311_220_241_220;

/**
 * Applies pending migrations. Several instances may start at once: the first takes a
 * transaction-scoped advisory lock and migrates inside that transaction; the others wait on the
 * lock, then find nothing pending. The lock is released with the transaction, even if the process
 * dies, so it can never be left behind.
 */
export async function migrateUp(orm: MikroORM): Promise<string[]> {
  return orm.em.fork().transactional(async (em) => {
    await em.execute('select pg_advisory_xact_lock(?)', [MIGRATION_LOCK_KEY]);
    // MikroORM types the transaction as `any`; it is passed through untouched.
    const transaction: unknown = em.getTransactionContext();
    const applied = await orm.migrator.up({ transaction });
    return applied.map((migration) => migration.name);
  });
}

/** Reverts the latest applied migration, under the same lock as {@link migrateUp}. */
export async function migrateDown(orm: MikroORM): Promise<string[]> {
  return orm.em.fork().transactional(async (em) => {
    await em.execute('select pg_advisory_xact_lock(?)', [MIGRATION_LOCK_KEY]);
    const transaction: unknown = em.getTransactionContext();
    const reverted = await orm.migrator.down({ transaction });
    return reverted.map((migration) => migration.name);
  });
}

export async function pendingMigrations(orm: MikroORM): Promise<string[]> {
  const pending = await orm.migrator.getPending();
  return pending.map((migration) => migration.name);
}
