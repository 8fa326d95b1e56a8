import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { isUnavailable } from './database-errors.js';
import { ReadPool } from './read-pool.js';
import { SqlPool } from './sql.js';

describe('ReadPool', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let sql: SqlPool;

  /** The sessions of this database running pg_sleep now. */
  const sleeping = async () =>
    Number(
      (
        await db.query<{ n: string }>(
          `select count(*) as n from pg_stat_activity
           where datname = current_database() and query like 'select pg_sleep%' and state = 'active'`,
        )
      ).rows[0].n,
    );

  beforeEach(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4, connectionTimeoutMillis: 500 });
    pool.on('error', () => undefined);
    sql = new SqlPool(pool, 10_000, { serialPlans: false });
  });
  afterEach(async () => {
    await pool.end();
    await db.drop();
  });

  it('runs no more reads at once than its limit, and leaves the rest of the pool to the writes', async () => {
    const reads = new ReadPool(sql, 2, 10_000);
    const started = Date.now();
    const slow = Array.from({ length: 5 }, () => reads.query('select pg_sleep(1)'));
    let running = true;
    const observed: number[] = [];
    const watch = (async () => {
      while (running) {
        observed.push(await sleeping());
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    })();
    // Five slow reads on a pool of four: two run, three wait without a connection, and a write
    // gets one at once (without the limit, it would wait for the first read to end, 0.85 s).
    await new Promise((resolve) => setTimeout(resolve, 150));
    const write = Date.now();
    await sql.query('select 1');
    expect(Date.now() - write).toBeLessThan(600);
    await Promise.all(slow);
    running = false;
    await watch;
    expect(Math.max(...observed)).toBe(2);
    // Two at a time: three rounds of 1 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_950);
  });

  it('without a limit, the same reads take the whole pool and a write waits past its timeout', async () => {
    // As many slow reads as the pool has connections, each longer than its connection timeout.
    const slow = Array.from({ length: 4 }, () => sql.query('select pg_sleep(0.8)'));
    await new Promise((resolve) => setTimeout(resolve, 150));
    await expect(sql.query('select 1')).rejects.toThrow(/timeout exceeded when trying to connect/);
    await Promise.all(slow);
  });

  it('refuses a read that waited longer than its wait, as unavailable, and runs the others', async () => {
    const reads = new ReadPool(sql, 1, 200);
    const first = reads.query('select pg_sleep(0.5)');
    const refused = reads.query('select 1').catch((error: unknown) => error);
    const error = await refused;
    expect(isUnavailable(error)).toBe(true);
    expect((error as Error).message).toBe(
      'the service is busy with other reads (1 at once) and none finished within 200 ms',
    );
    await first;
    // The refused read left the queue: the next one runs once the first is done.
    await expect(reads.query<{ one: number }>('select 1 as one')).resolves.toMatchObject({
      rows: [{ one: 1 }],
    });
  });

  it('gives a freed place to the reads in the order they came', async () => {
    const reads = new ReadPool(sql, 1, 10_000);
    const order: number[] = [];
    const all = [0, 1, 2, 3].map((n) =>
      reads.query(`select pg_sleep(0.05), ${n} as n`).then(() => order.push(n)),
    );
    await Promise.all(all);
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it('frees its place when a read fails', async () => {
    const reads = new ReadPool(sql, 1, 10_000);
    await expect(reads.query('select * from no_such_table')).rejects.toThrow(/no_such_table/);
    await expect(reads.query('select 1')).resolves.toBeDefined();
  });
});
