import { createStoreDatabase, type StoreDatabase } from '../../../test/support/store-database.js';
import { BoundSql } from '../../database/sql.js';
import type { EventQuery } from './event-query.js';
import { walkStatement } from './event.queries.js';

const QUERY: EventQuery = {
  tags: ['tenth'],
  pageIndex: 1,
  pageSize: 4,
  sortField: 'eventTimestamp',
  sortOrder: 'desc',
};
const SCOPE = { tenantId: 't', includeDeleted: false };

type Walked = { walk_rows: number; walk_matches: number; event_id: string | null };

describe('walkStatement', () => {
  let db: StoreDatabase;

  beforeAll(async () => {
    db = await createStoreDatabase();
    // Event n is n minutes old; every tenth (10, 20, …, 300) is tagged 'tenth'.
    await db.query(
      `insert into ff_events (event_id, event_type, event_timestamp, aggregate_id, aggregate_type,
         event_data, event_tags, tenant_id)
       select 'e' || n, 'T', now() - n * interval '1 minute', 1, 'A', '{}',
         case when n % 10 = 0 then '["tenth"]'::jsonb else '[]'::jsonb end, 't'
       from generate_series(1, 300) as n`,
    );
  });
  afterAll(() => db.close());

  const walk = async (budget: number, stopAtPage: boolean) => {
    const statement = walkStatement(SCOPE, QUERY, new Date(), budget, stopAtPage);
    return new BoundSql(statement.sql).run<Walked>(db.sql, statement.params);
  };

  it("stops at a page's worth of matches (pageSize + 1), at the position of the last", async () => {
    const rows = await walk(200, true);
    expect(rows.map((row) => row.event_id)).toEqual(['e10', 'e20', 'e30', 'e40', 'e50']);
    expect(rows[0]).toMatchObject({ walk_rows: 50, walk_matches: 5 });
  });

  it('tells a walk that went its whole budget by the budget-th position', async () => {
    const rows = await walk(35, true);
    expect(rows.map((row) => row.event_id)).toEqual(['e10', 'e20', 'e30']);
    expect(rows[0]).toMatchObject({ walk_rows: 35, walk_matches: 3 });
  });

  it('counts every match of its budget when it does not stop at a page', async () => {
    const rows = await walk(200, false);
    expect(rows).toHaveLength(5);
    expect(rows[0]).toMatchObject({ walk_rows: 200, walk_matches: 20 });
  });

  it('walks every event there is short of its budget, and says so by a lower position', async () => {
    const rows = await walk(1000, false);
    expect(rows[0]).toMatchObject({ walk_rows: 300, walk_matches: 30 });
  });

  it('answers the counts alone when nothing passed', async () => {
    const rows = await walk(9, true);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ walk_rows: 9, walk_matches: 0, event_id: null });
  });

  it('walks only the events of its range, and stops at the matches it is asked for', async () => {
    const now = Date.now();
    const range = { from: new Date(now - 95.5 * 60_000), to: new Date(now - 35.5 * 60_000) };
    const statement = walkStatement(SCOPE, QUERY, new Date(now), 200, true, range, 3);
    const rows = await new BoundSql(statement.sql).run<Walked>(db.sql, statement.params);
    expect(rows.map((row) => row.event_id)).toEqual(['e40', 'e50', 'e60']);
  });
});
