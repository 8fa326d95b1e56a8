import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RetrySweeper } from '../../src/event-store/sweeps/retry.sweeper.js';
import { InvoiceModule, LedgerHandler, ReceiptHandler } from '../support/invoice-paid.feature.js';
import { MovableClock } from '../support/movable-clock.js';
import { seedEvents } from '../support/seed-events.js';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

interface Row {
  event_status: string;
  process_count: number;
  requires_retry: boolean;
  next_retry_at: string | null;
  last_processed_at: string;
  error_message: string | null;
  modify_date: string;
  event_metadata: { handlers: Record<string, { status: string; attempts: number }> };
}

const MINUTE_MS = 60_000;
const STUCK_TIMEOUT_MS = 600_000;
const T0 = new Date('2026-03-01T12:00:00.000Z');

describe('retry sweep', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let clock: MovableClock;
  let sweeper: RetrySweeper;

  const row = async (eventId: string): Promise<Row> => {
    const { rows } = await db.query<Row>(
      `select event_status, process_count, requires_retry, next_retry_at::text,
              last_processed_at::text, error_message, modify_date::text, event_metadata
       from ff_events where event_id = $1`,
      [eventId],
    );
    return rows[0];
  };
  const time = (text: string | null) => new Date(text ?? NaN).getTime();

  /** Appends an InvoicePaid event at the clock's time and waits for its first attempt. */
  async function publish(eventId: string, amount: number): Promise<Row> {
    const response = await app.inject({
      method: 'POST',
      url: '/api/events',
      payload: {
        eventId,
        eventType: 'InvoicePaid',
        aggregateId: 5,
        aggregateType: 'Invoice',
        eventData: { eventId, tenantId: 'default', invoiceId: 5, amount },
      },
    });
    expect(response.statusCode).toBe(201);
    return waitFor(async () => {
      const current = await row(eventId);
      return current.event_status === 'Published' ? undefined : current;
    }, `${eventId} to be processed once`);
  }

  function invoiceData(eventId: string) {
    return { eventId, tenantId: 'default', invoiceId: 9, amount: -1 };
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(
      db.url,
      { LOG_LEVEL: 'fatal', EVENTS_STUCK_TIMEOUT_MS: String(STUCK_TIMEOUT_MS) },
      { imports: [InvoiceModule] },
    );
    clock = new MovableClock(app, T0);
    sweeper = app.get(RetrySweeper);
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  beforeEach(() => {
    LedgerHandler.fixed = false;
  });

  it('retries a failure 2, 4 and 8 minutes apart (±10%), then leaves it dead', async () => {
    clock.set(T0);
    const ledgerRuns = LedgerHandler.runs;
    const receiptRuns = ReceiptHandler.runs;
    let current = await publish('backoff-1', -5);
    expect(current).toMatchObject({
      event_status: 'Failed',
      process_count: 1,
      requires_retry: true,
    });

    for (const [attempt, minutes] of [
      [1, 2],
      [2, 4],
      [3, 8],
    ]) {
      // After attempt n the next one is due 2^n minutes later, within the jitter.
      const attemptAt = time(current.last_processed_at);
      const due = time(current.next_retry_at);
      expect(due - attemptAt).toBeGreaterThanOrEqual(minutes * MINUTE_MS * 0.9);
      expect(due - attemptAt).toBeLessThanOrEqual(minutes * MINUTE_MS * 1.1);
      expect(current.process_count).toBe(attempt);

      clock.set(new Date(due - 1_000));
      expect(await sweeper.run()).toMatchObject({ retried: 0 });
      expect((await row('backoff-1')).process_count).toBe(attempt);

      clock.set(new Date(due));
      expect(await sweeper.run()).toMatchObject({ retried: 1 });
      current = await row('backoff-1');
      expect(current).toMatchObject({ process_count: attempt + 1 });
      expect(time(current.last_processed_at)).toBe(due);
      expect(current.error_message).toMatch(/^ledger: Error: ledger refuses amount -5/);
    }

    expect(current).toMatchObject({
      event_status: 'Failed',
      process_count: 4,
      requires_retry: false,
      next_retry_at: null,
    });
    clock.advance(24 * 60 * MINUTE_MS);
    expect(await sweeper.run()).toMatchObject({ retried: 0 });
    expect((await row('backoff-1')).process_count).toBe(4);
    expect(LedgerHandler.runs - ledgerRuns).toBe(4);
    expect(ReceiptHandler.runs - receiptRuns).toBe(1);
  });

  it('ends Processed when the retry succeeds, re-running only the handler that failed', async () => {
    clock.set(T0);
    const failed = await publish('heals-1', -7);
    const ledgerRuns = LedgerHandler.runs;
    const receiptRuns = ReceiptHandler.runs;
    LedgerHandler.fixed = true;
    clock.set(new Date(time(failed.next_retry_at)));
    expect(await sweeper.run()).toMatchObject({ retried: 1 });
    const healed = await row('heals-1');
    expect(healed).toMatchObject({
      event_status: 'Processed',
      process_count: 2,
      requires_retry: false,
      next_retry_at: null,
      error_message: null,
    });
    expect(healed.event_metadata.handlers).toMatchObject({
      ledger: { status: 'succeeded', attempts: 2 },
      receipt: { status: 'succeeded', attempts: 1 },
    });
    expect(LedgerHandler.runs - ledgerRuns).toBe(1);
    expect(ReceiptHandler.runs - receiptRuns).toBe(0);
  });

  it('recovers events abandoned in Published or Retry past the timeout, and only those', async () => {
    clock.set(T0);
    LedgerHandler.fixed = true;
    const abandonedAt = new Date(T0.getTime() - STUCK_TIMEOUT_MS - 1_000);
    const recentAt = new Date(T0.getTime() - STUCK_TIMEOUT_MS + 60_000);
    const pending = {
      ledger: { status: 'pending', attempts: 0 },
      receipt: { status: 'pending', attempts: 0 },
    };
    await seedEvents(db, [
      {
        eventId: 'stuck-published',
        tenantId: 'default',
        eventType: 'InvoicePaid',
        eventStatus: 'Published',
        eventData: invoiceData('stuck-published'),
        handlers: pending,
        modifyDate: abandonedAt,
      },
      {
        eventId: 'stuck-claim',
        tenantId: 'default',
        eventType: 'InvoicePaid',
        eventStatus: 'Retry',
        processCount: 2,
        eventData: invoiceData('stuck-claim'),
        handlers: {
          ledger: { status: 'failed', attempts: 1 },
          receipt: { status: 'succeeded', attempts: 1 },
        },
        modifyDate: abandonedAt,
      },
      {
        eventId: 'stuck-poison',
        tenantId: 'default',
        eventType: 'InvoicePaid',
        eventStatus: 'Retry',
        processCount: 4,
        eventData: invoiceData('stuck-poison'),
        handlers: pending,
        modifyDate: abandonedAt,
      },
      {
        eventId: 'still-running',
        tenantId: 'default',
        eventType: 'InvoicePaid',
        eventStatus: 'Published',
        eventData: invoiceData('still-running'),
        handlers: pending,
        modifyDate: recentAt,
      },
    ]);

    expect(await sweeper.run()).toMatchObject({ recovered: 2, abandoned: 1, retried: 0 });
    expect(await row('stuck-published')).toMatchObject({
      event_status: 'Processed',
      process_count: 2,
    });
    expect(await row('stuck-claim')).toMatchObject({ event_status: 'Processed', process_count: 3 });
    expect(await row('stuck-poison')).toMatchObject({
      event_status: 'Failed',
      process_count: 4,
      requires_retry: false,
      error_message: 'abandoned: processing never finished in 4 attempts',
    });
    expect(await row('still-running')).toMatchObject({
      event_status: 'Published',
      process_count: 1,
    });
  });

  it('claims each due event once when two sweeps run at the same time', async () => {
    clock.set(T0);
    LedgerHandler.fixed = true;
    const ids = Array.from({ length: 120 }, (_, i) => `race-${i}`);
    await seedEvents(
      db,
      ids.map((eventId) => ({
        eventId,
        tenantId: 'default',
        eventType: 'InvoicePaid',
        eventStatus: 'Failed' as const,
        requiresRetry: true,
        nextRetryAt: new Date(T0.getTime() - 1_000),
        eventData: invoiceData(eventId),
        handlers: {
          ledger: { status: 'failed', attempts: 1 },
          receipt: { status: 'succeeded', attempts: 1 },
        },
      })),
    );
    const second = await startTestApp(db.url, { LOG_LEVEL: 'fatal' }, { imports: [InvoiceModule] });
    try {
      new MovableClock(second, T0);
      const [a, b] = await Promise.all([sweeper.run(), second.get(RetrySweeper).run()]);
      expect((a?.retried ?? 0) + (b?.retried ?? 0)).toBe(120);
    } finally {
      await second.close();
    }
    const { rows } = await db.query<{ process_count: number; n: number }>(
      `select process_count, count(*)::int as n from ff_events
       where event_id like 'race-%' and event_status = 'Processed' group by 1`,
    );
    expect(rows).toEqual([{ process_count: 2, n: 120 }]);
  });

  it('answers a tick that finds a run in progress by skipping it', async () => {
    const [first, second] = await Promise.all([sweeper.run(), sweeper.run()]);
    expect(first).toBeDefined();
    expect(second).toBeUndefined();
  });
});
