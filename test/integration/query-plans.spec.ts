import { MikroORM } from '@mikro-orm/postgresql';
import { migrateUp } from '../../src/database/migration-runner.js';
import { ormConfig } from '../../src/database/orm.config.js';
import type { EventQuery } from '../../src/event-store/queries/event-query.js';
import {
  anySliceHoldsStatement,
  countStatement,
  failedDueStatement,
  indexedPageStatement,
  windowedPageStatement,
  pageStatement,
  type Statement,
} from '../../src/event-store/queries/event.queries.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const ROWS = 200_000;
const BASE: EventQuery = {
  pageIndex: 1,
  pageSize: 20,
  sortField: 'eventTimestamp',
  sortOrder: 'desc',
};
const SCOPE = { tenantId: 't1', includeDeleted: false };

interface PlanNode {
  'Node Type': string;
  'Actual Rows'?: number;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

function indexesIn(node: PlanNode): string[] {
  return [
    ...(node['Index Name'] ? [node['Index Name']] : []),
    ...(node.Plans ?? []).flatMap(indexesIn),
  ];
}

/**
 * The tag and data filters must be served by the GIN indexes: on a table large enough that a scan
 * of the tenant's rows costs more than the index, EXPLAIN of the exact statements the service
 * runs names them.
 */
describe('query plans at scale', () => {
  let db: TestDatabase;

  /** The statement's plan; with `analyze`, run, with the rows each node returned. */
  const plan = async ({ sql, params }: Statement, analyze = false): Promise<PlanNode> => {
    let position = 0;
    const numbered = sql.replace(/\?/g, () => `$${++position}`);
    const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `explain (${analyze ? 'analyze, ' : ''}format json) ${numbered}`,
      params,
    );
    return rows[0]['QUERY PLAN'][0].Plan;
  };
  const explain = async (statement: Statement): Promise<string[]> =>
    indexesIn(await plan(statement));

  beforeAll(async () => {
    db = await createTestDatabase();
    const orm = await MikroORM.init(ormConfig(db.url));
    await orm.connect();
    await migrateUp(orm);
    await orm.close();
    // Two tenants, 50 tags and 200 distinct data values (and descriptions): every tag and value is
    // rare.
    await db.query(
      `insert into ff_events (event_id, event_type, event_timestamp, aggregate_id, aggregate_type,
         event_source, event_data, event_metadata, event_description, event_status, process_count,
         event_tags, max_retry_count, tenant_id, create_date, create_by, modify_date, modify_by)
       select 'plan-' || i, 'Type' || (i % 50), now() - (i || ' seconds')::interval, i % 1000,
         'Onboarding', 'Portal', jsonb_build_object('stage', 'S' || (i % 200), 'n', i), '{}',
         'stage S' || (i % 200) || ' done',
         'Processed', 1, jsonb_build_array('tag' || (i % 50), 'all'), 3, 't' || (i % 2),
         now(), 'test', now(), 'test'
       from generate_series(1, $1::int) as i`,
      [ROWS],
    );
    await db.query('analyze ff_events');
  });

  afterAll(async () => {
    await db.drop();
  });

  it('serves the tags filter (the event contains all tags) from idx_ff_events_tags_gin', async () => {
    const query = { ...BASE, tags: ['tag7', 'all'] };
    expect(await explain(countStatement(SCOPE, query, new Date()))).toContain(
      'idx_ff_events_tags_gin',
    );
    expect(await explain(indexedPageStatement(SCOPE, query, new Date()))).toContain(
      'idx_ff_events_tags_gin',
    );
  });

  it('serves the data containment filter from idx_ff_events_data_gin', async () => {
    const query = { ...BASE, data: { stage: 'S17' } };
    expect(await explain(countStatement(SCOPE, query, new Date()))).toContain(
      'idx_ff_events_data_gin',
    );
    expect(await explain(indexedPageStatement(SCOPE, query, new Date()))).toContain(
      'idx_ff_events_data_gin',
    );
  });

  const conditionsOf = (index: string) => {
    const conditions = (node: PlanNode): string[] => [
      ...(node['Index Name'] === index ? [node['Index Cond'] ?? ''] : []),
      ...(node.Plans ?? []).flatMap(conditions),
    ];
    return conditions;
  };
  const dayNumber = (day: string) => (Date.parse(day) - Date.parse('2000-01-01')) / 86_400_000;

  it("asks the description index for the tenant's keys of the keyword's chosen trigrams only, and checks the keyword on what it finds", async () => {
    const query = { ...BASE, keyword: 'stage S123 done' };
    const conditions = conditionsOf('idx_ff_events_description_keys');
    const [condition] = conditions(await plan(countStatement(SCOPE, query, new Date(), ['123'])));
    expect(condition).toContain(`@> '{${SCOPE.tenantId}/123}'::text[]`);
    expect(condition).not.toMatch(/stage/);
  });

  it.each([
    ['tags', { tags: ['tag7'] }, 'idx_ff_events_tags_gin'],
    ['data', { data: { stage: 'S17' } }, 'idx_ff_events_data_gin'],
  ] as const)(
    "asks the %s index for each day's matches by its tenant-day key, which holds the tenant",
    async (_filter, filter, index) => {
      const query = { ...BASE, ...filter };
      const today = new Date().toISOString().slice(0, 10);
      const statement = windowedPageStatement(SCOPE, query, new Date(), [], [today, '2026-01-01']);
      const found = conditionsOf(index)(await plan(statement));
      // ff_event_day inlined, and each day's key folded to a constant the index is asked for.
      expect(found).toHaveLength(2);
      expect(found[0]).toContain(`= '${SCOPE.tenantId}/${dayNumber(today)}'::text`);
      expect(found[1]).toContain(`= '${SCOPE.tenantId}/${dayNumber('2026-01-01')}'::text`);
      // No tenant key besides: GIN would advance it to every entry of the day.
      expect(found.join(' ')).not.toMatch(/\(tenant_id\)::text = /);
    },
  );

  it("asks the description index for several days' matches in one scan, by the tenant's trigram keys and any of the days' keys", async () => {
    const query = { ...BASE, keyword: 'S123' };
    const today = new Date().toISOString().slice(0, 10);
    const statement = windowedPageStatement(
      SCOPE,
      query,
      new Date(),
      ['123'],
      [today, '2026-01-01'],
    );
    const found = conditionsOf('idx_ff_events_description_keys')(await plan(statement));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`@> '{${SCOPE.tenantId}/123}'::text[]`);
    expect(found[0]).toContain(
      `&& '{${SCOPE.tenantId}/${dayNumber(today)}/,${SCOPE.tenantId}/${dayNumber('2026-01-01')}/}'::text[]`,
    );
  });

  it("asks whether any of some days' hours holds a keyword's match in one scan of the description index, which stops at the first", async () => {
    const query = { ...BASE, keyword: 'S123' };
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const hours = [{ day: yesterday }, { day: '2026-01-01', hour: 7 }];
    const statement = anySliceHoldsStatement(SCOPE, query, new Date(), ['123'], hours);
    const node = await plan(statement, true);
    const found = conditionsOf('idx_ff_events_description_keys')(node);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`@> '{${SCOPE.tenantId}/123}'::text[]`);
    expect(found[0]).toContain(
      `&& '{${SCOPE.tenantId}/${dayNumber(yesterday)}/,${SCOPE.tenantId}/${dayNumber('2026-01-01')}/07}'::text[]`,
    );
    // One of t1's events in every 200 seconds, 55 hours back from now, is 'stage S123 done': the
    // index finds yesterday's 432, the heap is read to the first.
    const heapRows = (plan: PlanNode): number[] => [
      ...(plan['Node Type'] === 'Bitmap Heap Scan' ? [plan['Actual Rows'] ?? -1] : []),
      ...(plan.Plans ?? []).flatMap(heapRows),
    ];
    expect(heapRows(node)).toEqual([1]);
    const { rows } = await db.query<{ holds: boolean }>(
      statement.sql.replace(
        /\?/g,
        (
          (position) => () =>
            `$${++position}`
        )(0),
      ),
      statement.params,
    );
    expect(rows).toEqual([{ holds: true }]);
  });

  it('serves by-type pages from the tenant/type/time index', async () => {
    const statement = pageStatement(SCOPE, { ...BASE, eventType: 'Type7' }, new Date());
    expect(await explain(statement)).toContain('idx_ff_events_tenant_type_time');
  });

  it("lists a tenant's due failures from an index in their order, reading no more than the list, however many wait", async () => {
    // Retries piled up: 3,000 of t1's events failed and are due, 1,000 more are not due yet.
    await db.query(
      `update ff_events set event_status = 'Failed', requires_retry = true,
         next_retry_at = now() + case when id % 4 = 0 then interval '1 hour'
           else -(id % 97) * interval '1 minute' end
       where tenant_id = 't1' and id in (
         select id from ff_events where tenant_id = 't1' order by id limit 4000)`,
    );
    await db.query('analyze ff_events');
    const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];
    const all = nodes(await plan(failedDueStatement(SCOPE, new Date(), 100), true));
    const scan = all.find((node) => node['Index Name'] === 'idx_ff_events_tenant_failed_due');
    expect(scan?.['Actual Rows']).toBe(100);
    expect(all.map((node) => node['Node Type'])).not.toContain('Sort');
  });
});
