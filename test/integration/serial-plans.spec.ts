import pino from 'pino';
import { AppConfig } from '../../src/config/app-config.js';
import { Database } from '../../src/database/database.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface PlanNode {
  'Node Type': string;
  Plans?: PlanNode[];
}

const nodeTypes = (node: PlanNode): string[] => [
  node['Node Type'],
  ...(node.Plans ?? []).flatMap(nodeTypes),
];

const COUNT = 'explain (format json) select count(*) from wide';
const planOf = (rows: { 'QUERY PLAN': [{ Plan: PlanNode }] }[]) =>
  nodeTypes(rows[0]['QUERY PLAN'][0].Plan);

/**
 * The service's statements are planned without parallel workers (SqlPool's serialPlans), on a
 * database whose settings make a parallel plan the cheapest, on every connection of its pool:
 * those the migrations opened before the service ran anything and those opened later, for single
 * statements and transactions alike. A plain connection to the same database still gets a
 * Gather, which is what makes the assertions able to fail.
 */
describe("the service's connections plan serially", () => {
  let db: TestDatabase;
  const opened: Database[] = [];

  const open = async (serialPlans?: boolean) => {
    const config = AppConfig.fromEnv({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
    const database = await Database.open(config, pino({ level: 'silent' }), { serialPlans });
    opened.push(database);
    return database;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(`alter database ${db.name} set parallel_setup_cost = 0`);
    await db.query(`alter database ${db.name} set parallel_tuple_cost = 0`);
    await db.query(`alter database ${db.name} set min_parallel_table_scan_size = 0`);
    await db.query('create table wide as select g from generate_series(1, 200000) as g');
    await db.query('analyze wide');
  });

  afterAll(async () => {
    for (const database of opened) await database.onApplicationShutdown();
    await db.drop();
  });

  it('a plain connection to the same database plans a Gather', async () => {
    const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(COUNT);
    expect(planOf(rows)).toContain('Gather');
  });

  it('a statement on the service pool has no Gather, on each of several connections', async () => {
    const database = await open();
    const plans = await Promise.all(
      Array.from({ length: 6 }, () =>
        database.sql.transaction(async (tx) => {
          // Held open together, so that the six run on six connections.
          await tx.query('select pg_sleep(0.05)');
          return planOf((await tx.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(COUNT)).rows);
        }),
      ),
    );
    const single = await database.sql.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(COUNT);
    for (const plan of [...plans, planOf(single.rows)]) {
      expect(plan).not.toContain('Gather');
      expect(plan).toContain('Seq Scan');
    }
    const setting = await database.sql.query<{ value: string }>(
      `select current_setting('max_parallel_workers_per_gather') as value`,
    );
    expect(setting.rows[0].value).toBe('0');
  });

  it('stats:rebuild, which reads every event, keeps the server default', async () => {
    const database = await open(false);
    const { rows } = await database.sql.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(COUNT);
    expect(planOf(rows)).toContain('Gather');
  });
});
