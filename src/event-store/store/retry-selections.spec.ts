import { createStoreDatabase, type StoreDatabase } from '../../../test/support/store-database.js';
import { seedEvents, type SeedEvent } from '../../../test/support/seed-events.js';
import { failureGroups } from './failure-groups.js';
import {
  createRetrySelection,
  deleteRetrySelection,
  retrySelectionState,
  runRetrySelection,
} from './retry-selections.js';

const NOW = new Date('2026-05-01T10:00:00.000Z');
const LATER = new Date(NOW.getTime() + 60_000);
const failed = (
  eventId: string,
  error: string,
  extra: Partial<SeedEvent> = {},
  handler = 'legacy-stage-log',
): SeedEvent => ({
  eventId,
  tenantId: 'acme',
  eventStatus: 'Failed',
  requiresRetry: true,
  nextRetryAt: new Date(NOW.getTime() + 3_600_000),
  handlers: { [handler]: { status: 'failed', attempts: 1, error } },
  ...extra,
});

describe('failure groups and retry selections', () => {
  let db: StoreDatabase;
  const status = async (eventId: string) =>
    (
      await db.query<{ event_status: string; requires_retry: boolean; next_retry_at: Date | null }>(
        'select event_status, requires_retry, next_retry_at from ff_events where event_id = $1',
        [eventId],
      )
    ).rows[0];

  beforeEach(async () => {
    db = await createStoreDatabase();
    await seedEvents(db, [
      failed('a-1', 'Error: order 1234 not found\n    at src/a.ts:1:2'),
      failed('a-2', 'Error: order 98 not found'),
      failed('a-3', 'Error: order 5 not found', { requiresRetry: false, nextRetryAt: null }),
      failed('b-1', 'TimeoutError: lead 3f0c2a9e-1b2c-4d5e-8f90-123456789abc timed out'),
      failed('b-2', 'TimeoutError: lead 9a8b7c6d5e4f timed out'),
      failed('other-handler', 'Error: order 7 not found', {}, 'mailer'),
      failed('globex-1', 'Error: order 1 not found', { tenantId: 'globex' }),
      { eventId: 'fine', tenantId: 'acme', eventStatus: 'Processed' },
    ]);
  });
  afterEach(() => db.close());

  it('groups failures by handler and cause, with ids and numbers taken out, within one tenant', async () => {
    const groups = await failureGroups(db.sql, 'acme', 10);
    expect(
      groups.map(({ handler, cause, events, retrying, dead }) => ({
        handler,
        cause,
        events,
        retrying,
        dead,
      })),
    ).toEqual([
      {
        handler: 'legacy-stage-log',
        cause: 'Error: order <n> not found',
        events: 3,
        retrying: 2,
        dead: 1,
      },
      {
        handler: 'legacy-stage-log',
        cause: 'TimeoutError: lead <id> timed out',
        events: 2,
        retrying: 2,
        dead: 0,
      },
      { handler: 'mailer', cause: 'Error: order <n> not found', events: 1, retrying: 1, dead: 0 },
    ]);
    expect(groups[0].sample_error).toMatch(/^Error: order \d+ not found$/);
  });

  it('freezes what a filter matches, and retries exactly that once, skipping what changed since', async () => {
    const filter = { handler: 'legacy-stage-log', cause: 'Error: order <n> not found' };
    const matched = await createRetrySelection(
      db.sql,
      { id: '00000000-0000-4000-8000-000000000001', tenantId: 'acme', filter, limit: 100 },
      { now: NOW, expiresAt: LATER },
    );
    expect(matched).toBe(3);
    // After the preview: one is closed by hand, and a new one fails that nobody saw.
    await db.query(`update ff_events set event_status = 'Processed' where event_id = 'a-2'`);
    await seedEvents(db, [failed('a-new', 'Error: order 77 not found')]);

    const key = { id: '00000000-0000-4000-8000-000000000001', tenantId: 'acme' };
    const run = await runRetrySelection(db.sql, key, { now: NOW, actor: 'test' });
    expect(run).toEqual({ matched: 3, retried: 2 });
    expect(await status('a-1')).toEqual({
      event_status: 'Failed',
      requires_retry: true,
      next_retry_at: NOW,
    });
    // A dead event is retried too: it becomes due now.
    expect((await status('a-3')).requires_retry).toBe(true);
    expect((await status('a-new')).next_retry_at).not.toEqual(NOW);
    expect(await runRetrySelection(db.sql, key, { now: NOW, actor: 'test' })).toBeUndefined();
    expect(await retrySelectionState(db.sql, key)).toBe('retried');
  });

  it("never selects or runs another tenant's events", async () => {
    const id = '00000000-0000-4000-8000-000000000002';
    expect(
      await createRetrySelection(
        db.sql,
        { id, tenantId: 'globex', filter: {}, limit: 100 },
        { now: NOW, expiresAt: LATER },
      ),
    ).toBe(1);
    expect(
      await runRetrySelection(db.sql, { id, tenantId: 'acme' }, { now: NOW, actor: 't' }),
    ).toBe(undefined);
    expect(await retrySelectionState(db.sql, { id, tenantId: 'acme' })).toBe('unknown');
    expect((await status('a-1')).next_retry_at).not.toEqual(NOW);
  });

  it('leaves dead events out when asked, and an expired selection runs nothing', async () => {
    const id = '00000000-0000-4000-8000-000000000003';
    const matched = await createRetrySelection(
      db.sql,
      {
        id,
        tenantId: 'acme',
        filter: { includeDead: false, eventType: 'StageCompleted' },
        limit: 100,
      },
      { now: NOW, expiresAt: NOW },
    );
    expect(matched).toBe(5);
    const key = { id, tenantId: 'acme' };
    expect(await runRetrySelection(db.sql, key, { now: LATER, actor: 't' })).toBeUndefined();
    expect(await retrySelectionState(db.sql, key)).toBe('expired');
  });

  it('keeps an expired selection for a day, so that a late run hears "expired", then forgets it', async () => {
    const old = { id: '00000000-0000-4000-8000-000000000004', tenantId: 'acme' };
    await createRetrySelection(
      db.sql,
      { ...old, filter: {}, limit: 10 },
      { now: NOW, expiresAt: NOW },
    );
    const another = (id: string, at: Date) =>
      createRetrySelection(
        db.sql,
        { id, tenantId: 'globex', filter: {}, limit: 10 },
        { now: at, expiresAt: at },
      );
    await another('00000000-0000-4000-8000-000000000005', LATER);
    expect(await retrySelectionState(db.sql, old)).toBe('expired');
    await another('00000000-0000-4000-8000-000000000006', new Date(NOW.getTime() + 2 * 86_400_000));
    expect(await retrySelectionState(db.sql, old)).toBe('unknown');
  });

  it('deletes a selection that will not run, for its tenant only', async () => {
    const key = { id: '00000000-0000-4000-8000-000000000007', tenantId: 'acme' };
    await createRetrySelection(
      db.sql,
      { ...key, filter: {}, limit: 10 },
      { now: NOW, expiresAt: LATER },
    );
    await deleteRetrySelection(db.sql, { ...key, tenantId: 'globex' });
    expect(await retrySelectionState(db.sql, key)).toBe('expired');
    await deleteRetrySelection(db.sql, key);
    expect(await retrySelectionState(db.sql, key)).toBe('unknown');
  });
});
