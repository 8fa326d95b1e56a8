import { createStoreDatabase, type StoreDatabase } from '../../../test/support/store-database.js';
import { daysAgo, seedEvents } from '../../../test/support/seed-events.js';
import { purgeBatch } from './purge-batch.js';
import { softDeleteBatch } from './soft-delete-batch.js';

describe('softDeleteBatch and purgeBatch', () => {
  let db: StoreDatabase;
  const valid = async () =>
    (
      await db.query<{ event_id: string }>(
        'select event_id from ff_events where is_valid order by event_id',
      )
    ).rows.map((r) => r.event_id);

  beforeAll(async () => {
    db = await createStoreDatabase();
    await seedEvents(db, [
      { eventId: 'a-old-1', tenantId: 'a', eventTimestamp: daysAgo(100) },
      { eventId: 'a-old-2', tenantId: 'a', eventTimestamp: daysAgo(95) },
      { eventId: 'a-new', tenantId: 'a', eventTimestamp: daysAgo(1) },
      { eventId: 'b-old', tenantId: 'b', eventTimestamp: daysAgo(100) },
    ]);
  });
  afterAll(() => db.close());

  it('soft-deletes at most `limit` rows older than the cutoff, of the named tenant only', async () => {
    const options = { cutoff: daysAgo(90), tenantId: 'a', limit: 1, now: new Date(), by: 'test' };
    expect(await softDeleteBatch(db.sql, options)).toBe(1);
    expect(await valid()).toEqual(['a-new', 'a-old-2', 'b-old']);
    expect(await softDeleteBatch(db.sql, options)).toBe(1);
    expect(await softDeleteBatch(db.sql, options)).toBe(0);
    expect(await valid()).toEqual(['a-new', 'b-old']);
  });

  it('soft-deletes every tenant when no tenant is named', async () => {
    const n = await softDeleteBatch(db.sql, {
      cutoff: daysAgo(90),
      limit: 10,
      now: new Date(),
      by: 'test',
    });
    expect(n).toBe(1);
    expect(await valid()).toEqual(['a-new']);
  });

  it('purges only rows soft-deleted before the cutoff', async () => {
    expect(await purgeBatch(db.sql, { cutoff: daysAgo(1), limit: 10 })).toBe(0);
    expect(await purgeBatch(db.sql, { cutoff: new Date(Date.now() + 1000), limit: 2 })).toBe(2);
    expect(await purgeBatch(db.sql, { cutoff: new Date(Date.now() + 1000), limit: 2 })).toBe(1);
    const { rows } = await db.query('select event_id from ff_events');
    expect(rows).toEqual([{ event_id: 'a-new' }]);
  });
});
