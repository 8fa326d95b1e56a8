import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { migrateUp } from '../../src/database/migration-runner.js';
import { ormConfig } from '../../src/database/orm.config.js';
import { SqlPool } from '../../src/database/sql.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface StoreDatabase extends TestDatabase {
  /** What the service runs its statements on. */
  readonly sql: SqlPool;
  close(): Promise<void>;
}

/**
 * A migrated database of its own and a pool on it, for the tests of the SQL layer that run one
 * statement at a time without the rest of the service.
 */
export async function createStoreDatabase(): Promise<StoreDatabase> {
  const db = await createTestDatabase();
  const orm = await MikroORM.init(ormConfig(db.url));
  await migrateUp(orm);
  await orm.close();
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  // A connection still closing when close() drops the database (with force) reports the
  // termination on the pool; nothing is running on it by then.
  pool.on('error', () => undefined);
  return {
    ...db,
    sql: new SqlPool(pool, 10_000, { serialPlans: true }),
    close: async () => {
      await pool.end();
      await db.drop();
    },
  };
}
