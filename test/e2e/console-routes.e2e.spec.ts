import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CONSOLE_DIR } from '../../src/console/console.routes.js';
import { seedEvents } from '../support/seed-events.js';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** How the service serves the built console (npm test builds it first). */
describe('console routes', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    if (!existsSync(join(CONSOLE_DIR, 'index.html'))) {
      throw new Error(`${CONSOLE_DIR} is missing: run npm run build:console (npm test does)`);
    }
    db = await createTestDatabase();
    app = await startTestApp(db.url, { API_KEYS: 'k1:acme,op:*', HTTP_PATH_PREFIX: '/events' });
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('serves the page at every console path without a key, its <base> carrying the configured prefix', async () => {
    for (const url of ['/console', '/console/', '/console/events/some-id?x=1']) {
      const response = await app.inject({ url });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.body).toContain('<base href="/events/console/" />');
      expect(response.headers['cache-control']).toBe('no-cache');
    }
  });

  it('takes the prefix a proxy sends in X-Forwarded-Prefix, and ignores one that is not a plain path', async () => {
    const proxied = await app.inject({
      url: '/console/',
      headers: { 'x-forwarded-prefix': '/ops/flowflex/' },
    });
    expect(proxied.body).toContain('<base href="/ops/flowflex/console/" />');
    const hostile = await app.inject({
      url: '/console/',
      headers: { 'x-forwarded-prefix': '/"><script>alert(1)</script>' },
    });
    expect(hostile.body).toContain('<base href="/events/console/" />');
    expect(hostile.body).not.toContain('<script>alert');
  });

  it('sends a strict Content-Security-Policy: scripts, styles and requests of this origin only', async () => {
    const response = await app.inject({ url: '/console/' });
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves hashed assets pre-compressed with immutable caching, and 404 for unknown ones', async () => {
    const script = readdirSync(join(CONSOLE_DIR, 'assets')).find((name) => name.endsWith('.js'))!;
    const response = await app.inject({
      url: `/console/assets/${script}`,
      headers: { 'accept-encoding': 'br, gzip' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.headers['cache-control']).toContain('immutable');
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect((await app.inject({ url: '/console/assets/nope.js' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/console/assets/../../package.json' })).statusCode).not.toBe(
      200,
    );
  });

  it('keeps the API behind its key: the console page is open, its data is not', async () => {
    const response = await app.inject({ url: '/api/events' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="flowflex-events"');
    // The session route says whether a key is needed without a 401 (no error in a browser).
    const anonymous = await app.inject({ url: '/api/session' });
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.json()).toEqual({
      keysRequired: true,
      signedIn: false,
      problem: 'an API key is required: send Authorization: Bearer <key>',
    });
    const unknown = await app.inject({
      url: '/api/session',
      headers: { authorization: 'Bearer nope' },
    });
    expect(unknown.json()).toMatchObject({ signedIn: false, problem: 'the API key is not known' });
    const signedIn = await app.inject({
      url: '/api/session',
      headers: { authorization: 'Bearer k1' },
    });
    expect(signedIn.json()).toEqual({
      keysRequired: true,
      signedIn: true,
      tenantId: 'acme',
      operator: false,
    });
    const tenants = await app.inject({
      url: '/api/tenants',
      headers: { authorization: 'Bearer k1' },
    });
    expect(tenants.statusCode).toBe(403);
  });

  it('counts events per hour of the window for the charts, every hour present, within the tenant', async () => {
    const hourStart = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    await seedEvents(db, [
      { eventId: 't-now-1', tenantId: 'acme', eventTimestamp: new Date(hourStart + 1_000) },
      {
        eventId: 't-now-2',
        tenantId: 'acme',
        eventTimestamp: new Date(hourStart + 2_000),
        eventStatus: 'Failed',
      },
      { eventId: 't-3h', tenantId: 'acme', eventTimestamp: new Date(hourStart - 3 * 3_600_000) },
      { eventId: 't-2d', tenantId: 'acme', eventTimestamp: new Date(hourStart - 48 * 3_600_000) },
      { eventId: 't-other', tenantId: 'globex', eventTimestamp: new Date(hourStart + 1_000) },
    ]);
    const response = await app.inject({
      url: '/api/events/statistics/timeline?days=1&bucket=hour',
      headers: { authorization: 'Bearer k1' },
    });
    expect(response.statusCode).toBe(200);
    const { points } = response.json<{ points: { at: string; total: number; failed: number }[] }>();
    expect(points).toHaveLength(24);
    expect(points[23]).toEqual({
      at: new Date(hourStart).toISOString(),
      total: 2,
      processed: 1,
      failed: 1,
    });
    expect(points[20].total).toBe(1);
    expect(points.reduce((sum, p) => sum + p.total, 0)).toBe(3);

    const days = await app.inject({
      url: '/api/events/statistics/timeline?days=7&bucket=day',
      headers: { authorization: 'Bearer k1' },
    });
    const daily = days.json<{ points: { total: number }[] }>().points;
    expect(daily.reduce((sum, p) => sum + p.total, 0)).toBe(4);
    for (const bad of ['days=0', 'days=91', 'bucket=week']) {
      const refused = await app.inject({
        url: `/api/events/statistics/timeline?${bad}`,
        headers: { authorization: 'Bearer k1' },
      });
      expect(refused.statusCode).toBe(400);
    }
  });

  it('lists the tenants that have events to an operator', async () => {
    const response = await app.inject({
      url: '/api/tenants',
      headers: { authorization: 'Bearer op' },
    });
    expect(response.json()).toEqual({ tenants: ['acme', 'globex'] });
  });
});
