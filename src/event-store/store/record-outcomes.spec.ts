import { createStoreDatabase, type StoreDatabase } from '../../../test/support/store-database.js';
import { seedEvents } from '../../../test/support/seed-events.js';
import { EventStatus } from '../entities/event-status.js';
import { lockForOutcomes, writeOutcomes } from './record-outcomes.js';

const NOW = new Date('2026-05-01T10:00:00.000Z');

describe('lockForOutcomes and writeOutcomes', () => {
  let db: StoreDatabase;
  const snapshot = async () =>
    (await db.query('select * from ff_events order by id')).rows as Record<string, unknown>[];

  beforeAll(async () => {
    db = await createStoreDatabase();
    await seedEvents(db, [
      { eventId: 'acme-1', tenantId: 'acme', eventStatus: 'Published' },
      { eventId: 'acme-2', tenantId: 'acme', eventStatus: 'Published' },
    ]);
  });
  afterAll(() => db.close());

  it('locks and reads the rows of the given keys, in id order', async () => {
    const rows = await db.sql.transaction((tx) =>
      lockForOutcomes(tx, [
        { eventId: 'acme-2', tenantId: 'acme' },
        { eventId: 'acme-1', tenantId: 'acme' },
      ]),
    );
    expect(rows.map((row) => [row.eventId, row.eventStatus, row.processCount])).toEqual([
      ['acme-1', 'Published', 1],
      ['acme-2', 'Published', 1],
    ]);
  });

  it('never reads or changes a row under another tenant, whatever id it names', async () => {
    const before = await snapshot();
    await db.sql.transaction(async (tx) => {
      expect(await lockForOutcomes(tx, [{ eventId: 'acme-1', tenantId: 'globex' }])).toEqual([]);
      await writeOutcomes(
        tx,
        [
          {
            eventId: 'acme-1',
            tenantId: 'globex',
            eventStatus: EventStatus.Failed,
            eventMetadata: { handlers: { log: { status: 'failed', attempts: 1 } } },
            errorMessage: 'log: Error: written by the wrong tenant',
            requiresRetry: true,
            nextRetryAt: NOW,
          },
        ],
        { now: NOW, actor: 'test' },
      );
    });
    expect(await snapshot()).toEqual(before);
  });

  it('writes the processing columns of the event of the given tenant', async () => {
    await writeOutcomes(
      db.sql,
      [
        {
          eventId: 'acme-2',
          tenantId: 'acme',
          eventStatus: EventStatus.Failed,
          eventMetadata: { handlers: { log: { status: 'failed', attempts: 1 } } },
          errorMessage: 'log: Error: boom',
          requiresRetry: true,
          nextRetryAt: NOW,
        },
      ],
      { now: NOW, actor: 'test' },
    );
    const { rows } = await db.query(
      `select event_status, error_message, requires_retry, next_retry_at, modify_by, event_metadata
       from ff_events where event_id = 'acme-2'`,
    );
    expect(rows[0]).toEqual({
      event_status: 'Failed',
      error_message: 'log: Error: boom',
      requires_retry: true,
      next_retry_at: NOW,
      modify_by: 'test',
      event_metadata: { handlers: { log: { status: 'failed', attempts: 1 } } },
    });
  });
});
