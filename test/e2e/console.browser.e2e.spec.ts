import { mkdirSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { InvoiceModule, LedgerHandler } from '../support/invoice-paid.feature.js';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const KEYS = 'tenant-key:acme,globex-key:globex,op-key:*';
/** Screenshots of every page, for a person to look at; not committed. */
const SCREENSHOTS = join('test-output', 'console');

/**
 * The console in a real headless Chromium against the real service on a real PostgreSQL. Every
 * page is watched: no request may leave the service's origin, and the browser's console must stay
 * free of errors.
 */
describe('the console in a browser', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let browser: Browser;
  let origin: string;
  let proxy: Server;
  let proxyOrigin: string;
  let page: Page;
  let foreignRequests: string[];
  let browserErrors: string[];

  const inject = (url: string, key: string, payload?: object) =>
    app.inject({
      method: payload ? 'POST' : 'GET',
      url,
      headers: { authorization: `Bearer ${key}` },
      payload,
    });

  async function invoice(eventId: string, amount: number, key = 'tenant-key', tenant = 'acme') {
    const response = await inject('/api/events', key, {
      eventId,
      eventType: 'InvoicePaid',
      aggregateId: 42,
      aggregateType: 'Invoice',
      eventSource: 'Billing',
      eventData: { eventId, tenantId: tenant, invoiceId: 42, amount },
    });
    expect(response.statusCode).toBe(201);
  }

  async function statusOf(eventId: string): Promise<string | undefined> {
    const { rows } = await db.query<{ event_status: string }>(
      'select event_status from ff_events where event_id = $1',
      [eventId],
    );
    return rows[0]?.event_status;
  }

  async function waitForStatus(eventId: string, status: string) {
    for (let i = 0; i < 100 && (await statusOf(eventId)) !== status; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await statusOf(eventId)).toBe(status);
  }

  /** A new browser per page: the packaged Chromium runs single-process and does not survive a closed context. */
  async function openPage(at: string, base = origin): Promise<Page> {
    browser = await launchBrowser();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      locale: 'en-US',
    });
    const opened = await context.newPage();
    const allowed = new URL(base).origin;
    opened.on('request', (r) => {
      if (!r.url().startsWith(`${allowed}/`) && !r.url().startsWith('data:')) {
        foreignRequests.push(r.url());
      }
    });
    opened.on('console', (message) => {
      if (message.type() === 'error') browserErrors.push(message.text());
    });
    opened.on('pageerror', (error) => browserErrors.push(error.message));
    await opened.goto(`${base}${at}`);
    return opened;
  }

  async function signIn(target: Page, key: string) {
    await target.getByLabel('API key').fill(key);
    await target.getByRole('button', { name: 'Sign in' }).click();
    await target.getByRole('link', { name: 'Events' }).waitFor();
  }

  const shoot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    db = await createTestDatabase();
    app = await startTestApp(
      db.url,
      { API_KEYS: KEYS, LOG_LEVEL: 'fatal' },
      { imports: [InvoiceModule] },
    );
    await app.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    // A reverse proxy that serves the service under /ops, as an ingress would.
    proxy = createServer((incoming, outgoing) => {
      if (!incoming.url?.startsWith('/ops/')) {
        outgoing.writeHead(404).end();
        return;
      }
      const forwarded = httpRequest(
        `${origin}${incoming.url.slice('/ops'.length)}`,
        {
          method: incoming.method,
          headers: { ...incoming.headers, 'x-forwarded-prefix': '/ops' },
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      incoming.pipe(forwarded);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyOrigin = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;

    LedgerHandler.fixed = false;
    for (let i = 0; i < 6; i += 1) {
      const response = await inject('/api/events', 'tenant-key', {
        eventId: `note-${i}`,
        eventType: 'CustomerNoted',
        aggregateId: 7,
        aggregateType: 'Customer',
        eventSource: i % 2 === 0 ? 'Portal' : 'Api',
        eventData: { note: `note ${i}` },
        eventTags: ['crm'],
      });
      expect(response.statusCode).toBe(201);
    }
    for (const [id, amount] of [
      ['inv-fail-1', -5],
      ['inv-fail-2', -17],
      ['inv-fail-3', -230],
    ] as const) {
      await invoice(id, amount);
      await waitForStatus(id, 'Failed');
    }
    await invoice('inv-paid', 10);
    await invoice('globex-secret', 99, 'globex-key', 'globex');
  }, 120_000);

  afterAll(async () => {
    await new Promise((resolve) => proxy?.close(resolve));
    await app?.close();
    await db?.drop();
  });

  beforeEach(() => {
    foreignRequests = [];
    browserErrors = [];
  });

  afterEach(async () => {
    await browser?.close();
    expect(foreignRequests).toEqual([]);
    expect(browserErrors).toEqual([]);
  });

  it('signs in with a tenant key and shows that tenant only, without operator actions', async () => {
    page = await openPage('/console/');
    await page.getByLabel('API key').waitFor();
    await shoot('sign-in');
    await signIn(page, 'tenant-key');
    await page.getByTestId('overview-cards').waitFor();
    await page.locator('.chart canvas').first().waitFor();
    await shoot('overview');
    expect(await page.getByTestId('tenant').textContent()).toBe('tenant acme');
    expect(await page.getByRole('link', { name: 'Subscriptions' }).count()).toBe(0);
    expect(await page.getByLabel('tenant').count()).toBe(0);
    expect(await page.evaluate(() => sessionStorage.getItem('flowflex.apiKey'))).toBe('tenant-key');
    expect(page.url()).not.toContain('tenant-key');

    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByTestId('events-total').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(10);
    expect(await page.content()).not.toContain('globex-secret');
    // The server refuses the operator routes to this key, whatever the page shows.
    expect((await inject('/api/subscriptions', 'tenant-key')).statusCode).toBe(403);
    expect((await inject('/api/tenants', 'tenant-key')).statusCode).toBe(403);
  });

  it('searches with several filters, kept in the URL across a reload', async () => {
    page = await openPage('/console/');
    await signIn(page, 'tenant-key');
    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByLabel('Type', { exact: true }).fill('InvoicePaid');
    await page.getByLabel('Status').selectOption('Failed');
    await page.getByLabel('Source').fill('Billing');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/eventType=InvoicePaid/);
    expect(new URL(page.url()).search).toBe(
      '?eventType=InvoicePaid&eventStatus=Failed&eventSource=Billing',
    );
    await page.getByText('3 events').waitFor();
    const ids = async () => (await page.locator('tbody tr td:last-child').allTextContents()).sort();
    expect(await ids()).toEqual(['inv-fail-1', 'inv-fail-2', 'inv-fail-3']);
    await shoot('events');

    await page.reload();
    await page.getByText('3 events').waitFor();
    expect(await page.getByLabel('Type', { exact: true }).inputValue()).toBe('InvoicePaid');
    expect(await page.getByLabel('Status').inputValue()).toBe('Failed');
    expect(await ids()).toEqual(['inv-fail-1', 'inv-fail-2', 'inv-fail-3']);

    // Sorting by a column and paging by cursor keep the filters.
    await page.getByRole('button', { name: /^Attempts/ }).click();
    await page.waitForURL(/sortField=processCount/);
    expect(page.url()).toContain('eventType=InvoicePaid');
  });

  it('pages through the events with the cursor, and back to the first page', async () => {
    const events = Array.from({ length: 25 }, (_, i) => ({
      eventId: `paged-${String(i).padStart(2, '0')}`,
      eventType: 'Paged',
      aggregateId: 8,
      aggregateType: 'Customer',
      eventData: { i },
    }));
    expect((await inject('/api/events/batch', 'tenant-key', { events })).json()).toMatchObject({
      created: 25,
    });
    page = await openPage('/console/');
    await signIn(page, 'tenant-key');
    await page.goto(`${origin}/console/events?eventType=Paged&pageSize=20`);
    await page.getByText('25 events').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(20);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForURL(/cursor=/);
    await page.getByText('a later page').waitFor();
    // The previous page stays on screen until the next one has arrived. (No waitForFunction:
    // the console's CSP forbids the eval it needs, as it should.)
    await page.locator('tbody tr').nth(5).waitFor({ state: 'detached' });
    expect(await page.locator('tbody tr').count()).toBe(5);
    expect(await page.getByRole('button', { name: 'Next page' }).count()).toBe(0);
    await page.getByRole('button', { name: 'First page' }).click();
    await page.waitForURL((url) => !url.search.includes('cursor'));
    await page.locator('tbody tr:nth-child(20)').waitFor();
  });

  it('opens an event with every column, its handlers and its aggregate, and retries it until Processed', async () => {
    page = await openPage('/console/');
    await signIn(page, 'tenant-key');
    await page.goto(`${origin}/console/events/inv-fail-1`);
    await page.getByTestId('event-status').waitFor();
    expect(await page.getByTestId('event-status').textContent()).toBe('Failed');
    expect(await page.locator('dl.columns dt').count()).toBe(25);
    expect(await page.getByRole('cell', { name: 'ledger', exact: true }).count()).toBe(1);
    // The aggregate's events load after the event itself.
    await page.locator('ol.aggregate li').nth(3).waitFor();
    expect(await page.locator('ol.aggregate li').count()).toBe(4);
    await shoot('event-detail');

    LedgerHandler.fixed = true;
    try {
      await page.getByRole('button', { name: 'Retry now' }).click();
      await page.getByText('Retried: now Processed').waitFor();
      await page.getByTestId('event-status').getByText('Processed').waitFor();
    } finally {
      LedgerHandler.fixed = false;
    }
    expect(await statusOf('inv-fail-1')).toBe('Processed');
  });

  it('retries a failure group: the preview count is the result count', async () => {
    page = await openPage('/console/');
    await signIn(page, 'tenant-key');
    await page.getByRole('link', { name: 'Failures' }).click();
    await page.getByTestId('failure-groups').waitFor();
    await shoot('failures');
    const { rows } = await db.query<{ failed: number }>(
      `select count(*)::int as failed from ff_events where tenant_id = 'acme' and event_status = 'Failed'`,
    );
    await page.getByRole('button', { name: 'Retry group' }).click();
    const preview = Number(await page.getByTestId('preview-count').textContent());
    expect(preview).toBe(rows[0].failed);
    expect(preview).toBeGreaterThan(0);
    LedgerHandler.fixed = true;
    try {
      await page.getByRole('button', { name: `Retry ${preview}` }).click();
      expect(await page.getByTestId('retry-result').textContent()).toBe(
        `Retried ${preview}, skipped 0 (no longer failed).`,
      );
      for (const id of ['inv-fail-1', 'inv-fail-2', 'inv-fail-3']) {
        await waitForStatus(id, 'Processed');
      }
      // The group leaves the list once its events succeed; the answer stays.
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.getByTestId('no-failures').waitFor();
      expect(await page.getByTestId('retry-result').textContent()).toBe(
        `Retried ${preview}, skipped 0 (no longer failed).`,
      );
    } finally {
      LedgerHandler.fixed = false;
    }
  });

  it('gives an operator key a tenant switcher and the subscriptions page', async () => {
    page = await openPage('/console/');
    await signIn(page, 'op-key');
    await page.getByLabel('tenant').fill('globex');
    await page.getByRole('button', { name: 'Switch' }).click();
    await page.getByRole('link', { name: 'Subscriptions' }).click();
    await page.getByRole('heading', { name: 'Subscriptions' }).waitFor();
    await shoot('subscriptions');
    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByRole('link', { name: 'globex-secret' }).waitFor();
    expect(await page.content()).not.toContain('inv-paid');
  });

  // Delivery waits for the cluster's oldest open transaction (the stream's watermark): on a
  // server shared with a long writer, this can take a while; hence the longer waits.
  it('follows the live stream, and resumes after a pause without losing events', async () => {
    page = await openPage('/console/');
    await signIn(page, 'tenant-key');
    await page.getByRole('link', { name: 'Live tail' }).click();
    await page.getByTestId('live-state').getByText('live').waitFor();
    await invoice('live-1', 1);
    await page.getByRole('link', { name: 'live-1' }).waitFor({ timeout: 50_000 });
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByTestId('live-state').getByText('paused').waitFor();
    await invoice('live-2', 2);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('link', { name: 'live-2' }).waitFor({ timeout: 50_000 });
    await shoot('live');
  }, 120_000);

  it('works under a path prefix behind a proxy, every request staying on its origin', async () => {
    page = await openPage('/ops/console/', proxyOrigin);
    await signIn(page, 'tenant-key');
    await page.getByTestId('overview-cards').waitFor();
    await page.getByRole('link', { name: 'Events' }).click();
    await page.waitForURL(`${proxyOrigin}/ops/console/events`);
    await page.getByTestId('events-total').waitFor();
    await page.getByRole('link', { name: 'inv-paid' }).click();
    await page.waitForURL(`${proxyOrigin}/ops/console/events/inv-paid`);
    await page.getByTestId('event-status').waitFor();
    await page.reload();
    await page.getByTestId('event-status').waitFor();
  });

  it('says so with a banner when the service runs without API keys', async () => {
    const openDb = await createTestDatabase();
    const open = await startTestApp(openDb.url, { LOG_LEVEL: 'fatal' });
    try {
      await open.listen(0, '127.0.0.1');
      const openOrigin = `http://127.0.0.1:${(open.getHttpServer().address() as { port: number }).port}`;
      page = await openPage('/console/', openOrigin);
      await page
        .getByRole('note')
        .getByText(/Open access: API_KEYS is not set/)
        .waitFor();
      expect(await page.getByLabel('tenant').count()).toBe(1);
      await browser.close();
    } finally {
      await open.close();
      await openDb.drop();
    }
  });
});
