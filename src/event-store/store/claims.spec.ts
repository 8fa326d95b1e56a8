import { createStoreDatabase, type StoreDatabase } from '../../../test/support/store-database.js';
import { seedEvents } from '../../../test/support/seed-events.js';
import { claimDue } from './claim-due.js';
import { claimFailed } from './claim-failed.js';
import { claimStuck } from './claim-stuck.js';
import { markProcessed } from './mark-processed.js';
import { settleClaim } from './settle-claim.js';

const NOW = new Date('2026-05-01T10:00:00.000Z');
const STAMP = { now: NOW, actor: 'claimer' };
const MINUTE_MS = 60_000;

describe('claims', () => {
  let db: StoreDatabase;
  const row = async (eventId: string) =>
    (
      await db.query<{ event_status: string; process_count: number; error_message: string | null }>(
        'select event_status, process_count, error_message from ff_events where event_id = $1',
        [eventId],
      )
    ).rows[0];

  beforeEach(async () => {
    db = await createStoreDatabase();
  });
  afterEach(() => db.close());

  it('claimDue takes due failures oldest first, as Retry with one more attempt, and only once', async () => {
    await seedEvents(db, [
      {
        eventId: 'later',
        tenantId: 'a',
        eventStatus: 'Failed',
        requiresRetry: true,
        nextRetryAt: new Date(NOW.getTime() - MINUTE_MS),
      },
      {
        eventId: 'first',
        tenantId: 'b',
        eventStatus: 'Failed',
        requiresRetry: true,
        nextRetryAt: new Date(NOW.getTime() - 2 * MINUTE_MS),
      },
      {
        eventId: 'not-due',
        tenantId: 'a',
        eventStatus: 'Failed',
        requiresRetry: true,
        nextRetryAt: new Date(NOW.getTime() + MINUTE_MS),
      },
      { eventId: 'dead', tenantId: 'a', eventStatus: 'Failed', requiresRetry: false },
    ]);
    const [one, two] = await Promise.all([claimDue(db.sql, 1, STAMP), claimDue(db.sql, 5, STAMP)]);
    const claimed = [...one, ...two].map((r) => r.event_id).sort();
    expect(claimed).toEqual(['first', 'later']);
    expect(await row('first')).toEqual({
      event_status: 'Retry',
      process_count: 2,
      error_message: null,
    });
    expect(await claimDue(db.sql, 5, STAMP)).toEqual([]);
  });

  it('claimFailed claims a Failed event of the named tenant only, dead ones included', async () => {
    await seedEvents(db, [
      { eventId: 'x', tenantId: 'acme', eventStatus: 'Failed', requiresRetry: false },
      { eventId: 'p', tenantId: 'acme', eventStatus: 'Processed' },
    ]);
    expect(await claimFailed(db.sql, { eventId: 'x', tenantId: 'globex' }, STAMP)).toBeUndefined();
    expect(await row('x')).toMatchObject({ event_status: 'Failed', process_count: 1 });
    expect(await claimFailed(db.sql, { eventId: 'p', tenantId: 'acme' }, STAMP)).toBeUndefined();
    const claimed = await claimFailed(db.sql, { eventId: 'x', tenantId: 'acme' }, STAMP);
    expect(claimed).toMatchObject({ event_id: 'x', event_status: 'Retry', process_count: 2 });
  });

  it('claimStuck applies the decision to each abandoned event: another attempt, or dead with the reason', async () => {
    const old = new Date(NOW.getTime() - 20 * MINUTE_MS);
    await seedEvents(db, [
      {
        eventId: 'retry-me',
        tenantId: 'a',
        eventStatus: 'Published',
        processCount: 1,
        modifyDate: old,
      },
      { eventId: 'spent', tenantId: 'a', eventStatus: 'Retry', processCount: 4, modifyDate: old },
      { eventId: 'fresh', tenantId: 'a', eventStatus: 'Published', modifyDate: NOW },
    ]);
    const rows = await claimStuck(
      db.sql,
      new Date(NOW.getTime() - 10 * MINUTE_MS),
      10,
      ({ processCount }) =>
        processCount < 4
          ? { retry: true }
          : { retry: false, reason: `gave up after ${processCount}` },
      STAMP,
    );
    expect(rows.map((r) => [r.event_id, r.event_status, r.process_count]).sort()).toEqual([
      ['retry-me', 'Retry', 2],
      ['spent', 'Failed', 4],
    ]);
    expect(await row('spent')).toEqual({
      event_status: 'Failed',
      process_count: 4,
      error_message: 'gave up after 4',
    });
    expect(await row('fresh')).toMatchObject({ event_status: 'Published' });
  });

  it('settleClaim closes a Retry of the named tenant and leaves other tenants alone', async () => {
    await seedEvents(db, [{ eventId: 'r', tenantId: 'acme', eventStatus: 'Retry' }]);
    await settleClaim(db.sql, { eventId: 'r', tenantId: 'globex' }, STAMP);
    expect(await row('r')).toMatchObject({ event_status: 'Retry' });
    await settleClaim(db.sql, { eventId: 'r', tenantId: 'acme' }, STAMP);
    expect(await row('r')).toMatchObject({ event_status: 'Processed' });
  });

  it('markProcessed closes a Published or Failed event of the named tenant, recording who', async () => {
    await seedEvents(db, [
      {
        eventId: 'f',
        tenantId: 'acme',
        eventStatus: 'Failed',
        requiresRetry: true,
        nextRetryAt: NOW,
      },
      { eventId: 'r', tenantId: 'acme', eventStatus: 'Retry' },
    ]);
    expect(
      await markProcessed(db.sql, { eventId: 'f', tenantId: 'globex' }, { now: NOW, by: 'ops' }),
    ).toBeUndefined();
    expect(
      await markProcessed(db.sql, { eventId: 'r', tenantId: 'acme' }, { now: NOW, by: 'ops' }),
    ).toBeUndefined();
    const marked = await markProcessed(
      db.sql,
      { eventId: 'f', tenantId: 'acme' },
      { now: NOW, by: 'ops' },
    );
    expect(marked).toMatchObject({
      event_status: 'Processed',
      requires_retry: false,
      next_retry_at: null,
      event_metadata: { markedProcessed: { at: NOW.toISOString(), by: 'ops' } },
    });
  });
});
