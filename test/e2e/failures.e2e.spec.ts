import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InvoiceModule, LedgerHandler } from '../support/invoice-paid.feature.js';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

interface Group {
  handler: string;
  cause: string;
  events: number;
  retrying: number;
  dead: number;
  eventTypes: string[];
  sampleEventId: string;
}

describe('failures by cause and bulk retry', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;

  const request = (method: 'GET' | 'POST', url: string, tenant = 'acme', payload?: object) =>
    app.inject({ method, url, headers: { 'x-tenant-id': tenant }, payload });
  const statusOf = async (eventId: string) =>
    (
      await db.query<{ event_status: string }>(
        'select event_status from ff_events where event_id = $1',
        [eventId],
      )
    ).rows[0]?.event_status;

  /** An InvoicePaid event whose ledger handler fails (negative amount) until LedgerHandler.fixed. */
  async function failingInvoice(eventId: string, amount: number, tenant = 'acme') {
    const response = await request('POST', '/api/events', tenant, {
      eventId,
      eventType: 'InvoicePaid',
      aggregateId: 42,
      aggregateType: 'Invoice',
      eventData: { eventId, tenantId: tenant, invoiceId: 42, amount },
    });
    expect(response.statusCode).toBe(201);
    await waitFor(
      async () => ((await statusOf(eventId)) === 'Failed' ? true : undefined),
      `${eventId} to fail`,
    );
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.url, { LOG_LEVEL: 'error' }, { imports: [InvoiceModule] });
    LedgerHandler.fixed = false;
    for (const [id, amount] of [
      ['f-1', -5],
      ['f-2', -17],
      ['f-3', -230],
    ] as const)
      await failingInvoice(id, amount);
    await failingInvoice('globex-f', -1, 'globex');
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('groups the failures of the tenant by handler and cause, numbers taken out', async () => {
    const response = await request('GET', '/api/events/failures');
    expect(response.statusCode).toBe(200);
    const { groups } = response.json<{ groups: Group[] }>();
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({
      handler: 'ledger',
      cause: 'Error: ledger refuses amount -<n>',
      events: 3,
      retrying: 3,
      dead: 0,
      eventTypes: ['InvoicePaid'],
    });
    expect(['f-1', 'f-2', 'f-3']).toContain(groups[0].sampleEventId);
    expect((await request('GET', '/api/events/failures?limit=0')).statusCode).toBe(400);
  });

  it('previews a group, then retries exactly the previewed events: preview count = result count', async () => {
    const preview = await request('POST', '/api/events/retry-selections', 'acme', {
      handler: 'ledger',
      cause: 'Error: ledger refuses amount -<n>',
    });
    expect(preview.statusCode).toBe(201);
    const { selectionId, matched } = preview.json<{ selectionId: string; matched: number }>();
    expect(matched).toBe(3);
    // Fails after the preview: nobody saw it, so the bulk retry leaves it alone.
    await failingInvoice('f-after-preview', -8);

    LedgerHandler.fixed = true;
    const run = await request('POST', `/api/events/retry-selections/${selectionId}/retry`);
    expect(run.statusCode).toBe(200);
    expect(run.json()).toEqual({ matched: 3, retried: 3, skipped: 0 });
    await waitFor(async () => {
      const statuses = await Promise.all(['f-1', 'f-2', 'f-3'].map(statusOf));
      return statuses.every((s) => s === 'Processed') ? true : undefined;
    }, 'the selected events to be retried and processed');
    expect(await statusOf('f-after-preview')).toBe('Failed');
    expect(await statusOf('globex-f')).toBe('Failed');

    const again = await request('POST', `/api/events/retry-selections/${selectionId}/retry`);
    expect(again.statusCode).toBe(409);
    expect(again.json<{ message: string }>().message).toContain('has run already');
  });

  it("cannot see or run another tenant's selection", async () => {
    const preview = await request('POST', '/api/events/retry-selections', 'globex', {});
    const { selectionId, matched } = preview.json<{ selectionId: string; matched: number }>();
    expect(matched).toBe(1);
    const foreign = await request('POST', `/api/events/retry-selections/${selectionId}/retry`);
    expect(foreign.statusCode).toBe(404);
    expect(await statusOf('globex-f')).toBe('Failed');
  });

  it.each([
    ['an unknown field', { status: 'Failed' }],
    ['a bad date', { startDate: 'yesterday' }],
    ['includeDead not a boolean', { includeDead: 'yes' }],
  ])('answers 400 for a selection with %s', async (_, body) => {
    const response = await request('POST', '/api/events/retry-selections', 'acme', body);
    expect(response.statusCode).toBe(400);
  });

  it('answers 400 for a selection id that is not a UUID, 404 for an unknown one', async () => {
    expect((await request('POST', '/api/events/retry-selections/nope/retry')).statusCode).toBe(400);
    expect(
      (
        await request(
          'POST',
          '/api/events/retry-selections/00000000-0000-4000-8000-000000000000/retry',
        )
      ).statusCode,
    ).toBe(404);
  });
});
