import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RetrySweeper } from '../../src/event-store/sweeps/retry.sweeper.js';
import { InvoiceModule } from '../support/invoice-paid.feature.js';
import { LogCapture } from '../support/log-capture.js';
import { sample } from '../support/prometheus.js';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

const KEY = 'observability-secret-key-42';
const AUTH = { authorization: `Bearer ${KEY}` };

describe('metrics and logs', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  const logs = new LogCapture();

  const scrape = async () => {
    const response = await app.inject({ url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    return response.body;
  };
  const append = (eventId: string, payload: object) =>
    app.inject({
      method: 'POST',
      url: '/api/events',
      headers: AUTH,
      payload: { eventId, ...payload },
    });
  const invoice = (eventId: string, amount: number) =>
    append(eventId, {
      eventType: 'InvoicePaid',
      aggregateId: 3,
      aggregateType: 'Invoice',
      eventData: { eventId, tenantId: 'acme', invoiceId: 3, amount },
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(
      db.url,
      { LOG_LEVEL: 'info', API_KEYS: `${KEY}:acme` },
      { imports: [InvoiceModule], logDestination: logs },
    );
    // Five succeed, three fail in the ledger handler, two are of a type without handlers.
    for (let i = 0; i < 5; i += 1) expect((await invoice(`ok-${i}`, 10)).statusCode).toBe(201);
    for (let i = 0; i < 3; i += 1) expect((await invoice(`bad-${i}`, -1)).statusCode).toBe(201);
    for (let i = 0; i < 2; i += 1) {
      const response = await append(`note-${i}`, {
        eventType: 'CustomerNoted',
        aggregateId: 1,
        aggregateType: 'Customer',
        eventData: {},
      });
      expect(response.statusCode).toBe(201);
    }
    await waitFor(async () => {
      const { rows } = await db.query<{ n: number }>(
        `select count(*)::int as n from ff_events where event_status = 'Published'`,
      );
      return rows[0].n === 0 ? true : undefined;
    }, 'every event to be processed');
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('counts stored, processed, failed and dead events by type as they happened', async () => {
    const text = await scrape();
    const invoicePaid = { event_type: 'InvoicePaid' };
    const unregistered = { event_type: 'unregistered' };
    expect(sample(text, 'flowflex_events_stored_total', invoicePaid)).toBe(8);
    expect(sample(text, 'flowflex_events_stored_total', unregistered)).toBe(2);
    expect(sample(text, 'flowflex_events_processed_total', invoicePaid)).toBe(5);
    expect(sample(text, 'flowflex_events_processed_total', unregistered)).toBe(2);
    expect(sample(text, 'flowflex_events_failed_total', invoicePaid)).toBe(3);
    expect(sample(text, 'flowflex_events_dead_total', invoicePaid)).toBe(0);
    expect(sample(text, 'flowflex_events_retried_total', invoicePaid)).toBe(0);
  });

  it('agrees with the statistics endpoint on the same events', async () => {
    const text = await scrape();
    const statistics = (await app.inject({ url: '/api/events/statistics', headers: AUTH })).json<{
      total: number;
      byStatus: Record<string, number>;
      deadEvents: number;
      retriesMade: number;
    }>();
    const sum = (name: string) =>
      sample(text, name, { event_type: 'InvoicePaid' }) +
      sample(text, name, { event_type: 'unregistered' });
    expect(sum('flowflex_events_stored_total')).toBe(statistics.total);
    expect(sum('flowflex_events_processed_total')).toBe(statistics.byStatus.Processed);
    expect(sum('flowflex_events_failed_total')).toBe(statistics.byStatus.Failed);
    expect(sum('flowflex_events_dead_total')).toBe(statistics.deadEvents);
    expect(sum('flowflex_events_retried_total')).toBe(statistics.retriesMade);
  });

  it('has a processing-time histogram per handler and outcome', async () => {
    const text = await scrape();
    const count = (handler: string, outcome: string) =>
      sample(text, 'flowflex_handler_duration_seconds_count', {
        event_type: 'InvoicePaid',
        handler,
        outcome,
      });
    expect(count('ledger', 'succeeded')).toBe(5);
    expect(count('ledger', 'failed')).toBe(3);
    expect(count('receipt', 'succeeded')).toBe(8);
    expect(
      sample(text, 'flowflex_handler_duration_seconds_bucket', {
        event_type: 'InvoicePaid',
        handler: 'receipt',
        outcome: 'succeeded',
        le: '+Inf',
      }),
    ).toBe(8);
  });

  it('counts a retry, the failure it ended in, and the death after the last one', async () => {
    await db.query(
      `update ff_events set process_count = 4, max_retry_count = 3 where event_id = 'bad-0'`,
    );
    expect(
      (await app.inject({ method: 'POST', url: '/api/events/bad-0/retry', headers: AUTH }))
        .statusCode,
    ).toBe(200);
    const text = await scrape();
    expect(sample(text, 'flowflex_events_retried_total', { event_type: 'InvoicePaid' })).toBe(1);
    expect(sample(text, 'flowflex_events_failed_total', { event_type: 'InvoicePaid' })).toBe(4);
    expect(sample(text, 'flowflex_events_dead_total', { event_type: 'InvoicePaid' })).toBe(1);
  });

  it('counts sweep runs, their duration and the rows they touched', async () => {
    await app.get(RetrySweeper).run();
    const text = await scrape();
    expect(sample(text, 'flowflex_sweep_runs_total', { sweep: 'retry', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'flowflex_sweep_duration_seconds_count', { sweep: 'retry' })).toBe(1);
    expect(sample(text, 'flowflex_sweep_rows_total', { sweep: 'retry', action: 'retried' })).toBe(
      0,
    );
  });

  it('times HTTP requests by method, route pattern and status', async () => {
    await app.inject({ url: '/api/events/ok-1', headers: AUTH });
    await app.inject({ url: '/api/events/nope', headers: AUTH });
    await app.inject({ url: '/api/events' });
    const text = await scrape();
    const count = (method: string, route: string, status: string) =>
      sample(text, 'flowflex_http_request_duration_seconds_count', { method, route, status });
    expect(count('POST', '/api/events', '201')).toBe(10);
    expect(count('GET', '/api/events/:eventId', '200')).toBe(1);
    expect(count('GET', '/api/events/:eventId', '404')).toBe(1);
    expect(count('GET', '/api/events', '401')).toBe(1);
  });

  it('logs each route at start-up with the path it is served at', () => {
    const messages = logs.lines.map((line) => String(line.msg));
    expect(messages).toContain('Mapped {/metrics, GET} route');
    expect(messages).toContain('Mapped {/health, GET} route');
    expect(messages).toContain('Mapped {/api/events, POST} route');
    expect(messages.filter((m) => m.includes('/api/metrics') || m.includes('/api/health'))).toEqual(
      [],
    );
  });

  it('exposes the Node default metrics', async () => {
    const text = await scrape();
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
  });

  it('logs a failed event as one JSON line with its eventId, type, tenant, level and stack', () => {
    const line = logs.lines.find(
      (entry) => entry.msg === 'processing failed' && entry.eventId === 'bad-1',
    );
    expect(line).toMatchObject({
      level: 50,
      eventId: 'bad-1',
      eventType: 'InvoicePaid',
      tenantId: 'acme',
      handler: 'ledger',
      err: {
        message: 'ledger refuses amount -1',
        stack: expect.stringContaining('LedgerHandler.process'),
      },
    });
  });

  it('logs requests with method, route, status and duration, and never the API key', () => {
    const request = logs.lines.find(
      (entry) => entry.msg === 'request completed' && entry.route === '/api/events/:eventId',
    );
    expect(request).toMatchObject({
      req: { method: 'GET', headers: { authorization: '[redacted]' } },
      res: { statusCode: expect.any(Number) },
      responseTime: expect.any(Number),
    });
    expect(logs.lines.length).toBeGreaterThan(20);
    for (const entry of logs.lines) expect(JSON.stringify(entry)).not.toContain(KEY);
  });
});
