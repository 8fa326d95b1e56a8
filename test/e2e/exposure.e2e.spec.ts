import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InvoiceModule } from '../support/invoice-paid.feature.js';
import { LogCapture } from '../support/log-capture.js';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

/** What the service shows of itself: stored errors, headers, files under /docs, request logs. */
describe('exposure', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  const logs = new LogCapture();

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(
      db.url,
      { LOG_LEVEL: 'info' },
      { imports: [InvoiceModule], logDestination: logs },
    );
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('stores a handler error as its message and first project frame, relative; the full stack goes to the log only', async () => {
    const eventId = randomUUID();
    const response = await app.inject({
      method: 'POST',
      url: '/api/events',
      payload: {
        eventId,
        eventType: 'InvoicePaid',
        aggregateId: 5,
        aggregateType: 'Invoice',
        eventData: { eventId, tenantId: 'default', invoiceId: 5, amount: -3 },
      },
    });
    expect(response.statusCode).toBe(201);
    const row = await waitFor(async () => {
      const { rows } = await db.query<{
        error_message: string | null;
        event_metadata: { handlers: { ledger: { error?: string } } };
      }>('select error_message, event_metadata from ff_events where event_id = $1', [eventId]);
      return rows[0]?.error_message ? rows[0] : undefined;
    }, 'the failure to be recorded');

    const stored =
      /^Error: ledger refuses amount -3\n {4}at LedgerHandler\.process \(test\/support\/invoice-paid\.feature\.ts:\d+:\d+\)$/;
    expect(row.error_message).toMatch(new RegExp(`^ledger: ${stored.source.slice(1)}`));
    expect(row.event_metadata.handlers.ledger.error).toMatch(stored);
    expect(JSON.stringify(row)).not.toContain(process.cwd());
    expect(JSON.stringify(row)).not.toContain('node_modules');

    const logged = logs.lines.find((l) => l.eventId === eventId && l.msg === 'processing failed');
    expect((logged?.err as { stack: string }).stack).toContain(process.cwd());
  });

  it('sends security headers, and no-store on API answers', async () => {
    const api = await app.inject({ url: '/api/events' });
    expect(api.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
    });
    expect(api.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const docs = await app.inject({ url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-security-policy']).toContain("script-src 'self'");
    expect(docs.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves only the files the OpenAPI page loads under /docs', async () => {
    for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css', 'swagger-ui-init.js']) {
      expect((await app.inject({ url: `/docs/${file}` })).statusCode).toBe(200);
    }
    for (const file of [
      'package.json',
      'README.md',
      'swagger-ui.js.map',
      'absolute-path.js',
      'LICENSE',
    ]) {
      expect((await app.inject({ url: `/docs/${file}` })).statusCode).toBe(404);
    }
  });

  it('logs each API request once, and probes and scrapes not at all', async () => {
    const requestLines = () => logs.lines.filter((l) => l.msg === 'request completed');
    const before = requestLines().length;
    for (const url of ['/health', '/health/live', '/metrics', '/health?x=1']) {
      await app.inject({ url });
    }
    expect(requestLines().length).toBe(before);
    await app.inject({ url: '/api/events?pageSize=1' });
    const lines = requestLines().slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ route: '/api/events', res: { statusCode: 200 } });
  });
});
