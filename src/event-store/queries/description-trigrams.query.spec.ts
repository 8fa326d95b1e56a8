import { createStoreDatabase, type StoreDatabase } from '../../../test/support/store-database.js';
import { DescriptionTrigramsQuery } from './description-trigrams.query.js';

describe('DescriptionTrigramsQuery', () => {
  let db: StoreDatabase;

  beforeEach(async () => {
    db = await createStoreDatabase();
  });
  afterEach(() => db.close());

  it('reads the share of descriptions holding each trigram, as ANALYZE sampled them', async () => {
    await db.query(
      `insert into ff_events (event_id, event_type, event_timestamp, aggregate_id, aggregate_type,
         event_data, event_description, tenant_id)
       select 'e-' || i, 'T', now(), 1, 'A', '{}', 'Invoice ' || i, 't'
       from generate_series(1, 400) as i`,
    );
    await db.query('analyze ff_events');
    const shares = await new DescriptionTrigramsQuery(db.sql).shares();
    expect(shares?.listed('voi')).toBe(1);
    // Invoice 1, 10 to 19 and 100 to 199: 111 of the 400 hold a word that starts with 1.
    expect(shares?.listed('  1')).toBeCloseTo(111 / 400, 2);
    expect(shares?.listed('zzz')).toBeUndefined();
    expect(shares?.unlisted).toBeGreaterThan(0);
    expect(shares?.unlisted).toBeLessThanOrEqual(shares?.listed('  1') ?? 0);
  });

  it('knows nothing before the first ANALYZE of described events', async () => {
    expect(await new DescriptionTrigramsQuery(db.sql).shares()).toBeUndefined();
  });
});
