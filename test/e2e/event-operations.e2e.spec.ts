import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InvoiceModule, LedgerHandler, ReceiptHandler } from '../support/invoice-paid.feature.js';
import { daysAgo, seedEvents } from '../support/seed-events.js';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

interface EventJson {
  eventId: string;
  eventStatus: string;
  processCount: number;
  requiresRetry: boolean;
  nextRetryAt: string | null;
  lastProcessedAt: string | null;
  errorMessage: string | null;
  eventMetadata: {
    handlers: Record<string, { status: string; attempts: number }>;
    markedProcessed?: { at: string; by: string };
  };
}

const MINUTE_MS = 60_000;

describe('operation routes', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;

  const post = (url: string, tenant = 'acme', payload?: object) =>
    app.inject({ method: 'POST', url, headers: { 'x-tenant-id': tenant }, payload });

  const statusOf = async (eventId: string) =>
    (
      await db.query<{ event_status: string }>(
        'select event_status from ff_events where event_id = $1',
        [eventId],
      )
    ).rows[0]?.event_status;

  /** An InvoicePaid event over HTTP; a negative amount makes the ledger handler fail. */
  async function invoicePaid(eventId: string, amount: number, tenant = 'acme') {
    const response = await post('/api/events', tenant, {
      eventId,
      eventType: 'InvoicePaid',
      aggregateId: 42,
      aggregateType: 'Invoice',
      eventData: { eventId, tenantId: tenant, invoiceId: 42, amount },
    });
    expect(response.statusCode).toBe(201);
    await waitFor(
      async () => ((await statusOf(eventId)) === 'Published' ? undefined : true),
      `${eventId} to finish processing`,
    );
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.url, { LOG_LEVEL: 'fatal' }, { imports: [InvoiceModule] });
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  beforeEach(() => {
    LedgerHandler.fixed = false;
  });

  describe('POST /api/events/:eventId/retry', () => {
    it('re-runs only the failed handler: still failing gives the next backoff, fixed gives Processed', async () => {
      await invoicePaid('retry-1', -5);
      expect(await statusOf('retry-1')).toBe('Failed');
      const ledgerRuns = LedgerHandler.runs;
      const receiptRuns = ReceiptHandler.runs;

      const before = Date.now();
      const stillFailing = await post('/api/events/retry-1/retry');
      expect(stillFailing.statusCode).toBe(200);
      const failed = stillFailing.json<EventJson>();
      expect(failed).toMatchObject({
        eventStatus: 'Failed',
        processCount: 2,
        requiresRetry: true,
        errorMessage: expect.stringContaining('ledger: Error: ledger refuses amount -5'),
      });
      // After the 2nd attempt the next one is due 2^2 = 4 minutes later, ±10%.
      const delay = new Date(failed.nextRetryAt ?? 0).getTime() - before;
      expect(delay).toBeGreaterThanOrEqual(4 * MINUTE_MS * 0.9 - 1_000);
      expect(delay).toBeLessThanOrEqual(4 * MINUTE_MS * 1.1 + 1_000);
      expect(new Date(failed.lastProcessedAt ?? 0).getTime()).toBeGreaterThanOrEqual(before - 5);

      LedgerHandler.fixed = true;
      const fixed = (await post('/api/events/retry-1/retry')).json<EventJson>();
      expect(fixed).toMatchObject({
        eventStatus: 'Processed',
        processCount: 3,
        requiresRetry: false,
        nextRetryAt: null,
        errorMessage: null,
      });
      expect(fixed.eventMetadata.handlers).toMatchObject({
        ledger: { status: 'succeeded', attempts: 3 },
        receipt: { status: 'succeeded', attempts: 1 },
      });
      expect(LedgerHandler.runs - ledgerRuns).toBe(2);
      expect(ReceiptHandler.runs - receiptRuns).toBe(0);
    });

    it('retries a dead event by hand', async () => {
      await invoicePaid('retry-dead', -1);
      await db.query(
        `update ff_events set process_count = 4, requires_retry = false, next_retry_at = null
         where event_id = 'retry-dead'`,
      );
      LedgerHandler.fixed = true;
      const response = await post('/api/events/retry-dead/retry');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ eventStatus: 'Processed', processCount: 5 });
    });

    it('answers 409 for an event that is not Failed, 404 for an unknown or foreign one', async () => {
      await invoicePaid('retry-ok', 10);
      const conflict = await post('/api/events/retry-ok/retry');
      expect(conflict.statusCode).toBe(409);
      expect(conflict.json<{ message: string }>().message).toBe(
        'event retry-ok is Processed; only a Failed event can be retried',
      );
      expect((await post('/api/events/nope/retry')).statusCode).toBe(404);

      await invoicePaid('retry-foreign', -3, 'globex');
      const ledgerRuns = LedgerHandler.runs;
      expect((await post('/api/events/retry-foreign/retry', 'acme')).statusCode).toBe(404);
      expect(await statusOf('retry-foreign')).toBe('Failed');
      expect(LedgerHandler.runs).toBe(ledgerRuns);
    });
  });

  describe('POST /api/events/:eventId/processed', () => {
    it('closes a Failed event by hand and says who did it; again is a no-op', async () => {
      await invoicePaid('mark-1', -5);
      const response = await post('/api/events/mark-1/processed');
      expect(response.statusCode).toBe(200);
      const marked = response.json<EventJson>();
      expect(marked).toMatchObject({
        eventStatus: 'Processed',
        requiresRetry: false,
        nextRetryAt: null,
      });
      expect(marked.eventMetadata.markedProcessed).toEqual({
        at: expect.any(String),
        by: 'api:operator',
      });
      const again = await post('/api/events/mark-1/processed');
      expect(again.statusCode).toBe(200);
      expect(again.json<EventJson>().eventMetadata.markedProcessed).toEqual(
        marked.eventMetadata.markedProcessed,
      );
    });

    it('answers 409 while a retry is running and 404 for an unknown or foreign event', async () => {
      await seedEvents(db, [
        { eventId: 'mark-running', tenantId: 'acme', eventStatus: 'Retry' },
        { eventId: 'mark-foreign', tenantId: 'globex', eventStatus: 'Failed' },
      ]);
      const running = await post('/api/events/mark-running/processed');
      expect(running.statusCode).toBe(409);
      expect(running.json<{ message: string }>().message).toMatch(/is being retried/);
      expect((await post('/api/events/nope/processed')).statusCode).toBe(404);
      expect((await post('/api/events/mark-foreign/processed')).statusCode).toBe(404);
      expect(await statusOf('mark-foreign')).toBe('Failed');
    });
  });

  describe('POST /api/events/cleanup', () => {
    it("soft-deletes exactly the tenant's events older than the given days", async () => {
      await seedEvents(db, [
        { eventId: 'old-1', tenantId: 'cleanup', eventTimestamp: daysAgo(31) },
        { eventId: 'old-2', tenantId: 'cleanup', eventTimestamp: daysAgo(400) },
        { eventId: 'new-1', tenantId: 'cleanup', eventTimestamp: daysAgo(29) },
        { eventId: 'old-other', tenantId: 'other', eventTimestamp: daysAgo(31) },
      ]);
      const response = await post('/api/events/cleanup', 'cleanup', { olderThanDays: 30 });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ cleaned: 2 });
      const { rows } = await db.query<{ event_id: string; is_valid: boolean; modify_by: string }>(
        `select event_id, is_valid, modify_by from ff_events
         where tenant_id in ('cleanup', 'other') order by event_id`,
      );
      expect(rows).toEqual([
        { event_id: 'new-1', is_valid: true, modify_by: 'seed' },
        { event_id: 'old-1', is_valid: false, modify_by: 'api:operator' },
        { event_id: 'old-2', is_valid: false, modify_by: 'api:operator' },
        { event_id: 'old-other', is_valid: true, modify_by: 'seed' },
      ]);
      const again = await post('/api/events/cleanup', 'cleanup', { olderThanDays: 30 });
      expect(again.json()).toEqual({ cleaned: 0 });
      expect(
        (await app.inject({ url: '/api/events/old-1', headers: { 'x-tenant-id': 'cleanup' } }))
          .statusCode,
      ).toBe(404);
    });

    it.each([
      [{}, /olderThanDays must not be less than 1|olderThanDays must be an integer/],
      [{ olderThanDays: 0 }, /olderThanDays must not be less than 1/],
      [{ olderThanDays: -30 }, /olderThanDays must not be less than 1/],
      [{ olderThanDays: 'thirty' }, /olderThanDays must be an integer/],
      [{ olderThanDays: 1.5 }, /olderThanDays must be an integer/],
      [{ olderThanDays: 30, tenant: 'x' }, /property tenant should not exist/],
    ])('answers 400 for %j and deletes nothing', async (body, message) => {
      const before = await db.query('select count(*)::int as n from ff_events where is_valid');
      const response = await post('/api/events/cleanup', 'acme', body);
      expect(response.statusCode).toBe(400);
      expect(response.json<{ message: string }>().message).toMatch(message);
      expect(
        (await db.query('select count(*)::int as n from ff_events where is_valid')).rows,
      ).toEqual(before.rows);
    });
  });
});
