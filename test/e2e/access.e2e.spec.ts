import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fc from 'fast-check';
import { seedEvents } from '../support/seed-events.js';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const ACME_KEY = 'acme-key-0123456789';
const GLOBEX_KEY = 'globex-key-0123456789';
const OPERATOR_KEY = 'operator-key-0123456789';

describe('API keys and tenancy', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;

  const request = (
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, string> = {},
    payload?: object,
  ) => app.inject({ method, url, headers, payload });
  const bearer = (key: string, tenant?: string) => ({
    authorization: `Bearer ${key}`,
    ...(tenant ? { 'x-tenant-id': tenant } : {}),
  });
  const idsOf = (response: { json: () => unknown }) =>
    (response.json() as { items: { eventId: string }[] }).items.map((e) => e.eventId).sort();

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.url, {
      API_KEYS: `${ACME_KEY}:acme,${GLOBEX_KEY}:globex,${OPERATOR_KEY}:*`,
    });
    await seedEvents(db, [
      { eventId: 'acme-1', tenantId: 'acme' },
      { eventId: 'acme-deleted', tenantId: 'acme', isValid: false },
      { eventId: 'globex-1', tenantId: 'globex' },
      { eventId: 'default-1', tenantId: 'default' },
      { eventId: 'acme-old', tenantId: 'acme', eventTimestamp: new Date('2020-01-01T00:00:00Z') },
    ]);
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it.each([
    ['GET', '/api/events'],
    ['GET', '/api/events/acme-1'],
    ['GET', '/api/events/statistics'],
    ['GET', '/api/events/failed'],
    ['GET', '/api/events/types/StageCompleted'],
    ['GET', '/api/events/aggregates/Onboarding/1'],
    ['POST', '/api/events'],
    ['POST', '/api/events/acme-1/retry'],
    ['POST', '/api/events/acme-1/processed'],
    ['POST', '/api/events/cleanup'],
    ['POST', '/api/onboarding/stage-completed'],
  ] as const)('%s %s without a key is 401', async (method, url) => {
    const response = await request(method, url, { 'x-tenant-id': 'acme' }, {});
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'an API key is required: send Authorization: Bearer <key>',
    });
  });

  it.each([
    ['an unknown key', { authorization: 'Bearer not-a-key' }, 'the API key is not known'],
    [
      'a key differing in one character',
      { authorization: `Bearer ${ACME_KEY.slice(0, -1)}X` },
      'the API key is not known',
    ],
    ['another scheme', { authorization: `Basic ${ACME_KEY}` }, 'an API key is required'],
    ['an empty bearer', { authorization: 'Bearer ' }, 'an API key is required'],
  ])('refuses %s with 401', async (_, headers, message) => {
    const response = await request('GET', '/api/events', headers);
    expect(response.statusCode).toBe(401);
    expect(response.json<{ message: string }>().message).toMatch(message);
  });

  it('confines a tenant key to its tenant, whatever header it sends', async () => {
    expect(idsOf(await request('GET', '/api/events', bearer(ACME_KEY)))).toEqual([
      'acme-1',
      'acme-old',
    ]);
    expect(idsOf(await request('GET', '/api/events', bearer(ACME_KEY, 'acme')))).toEqual([
      'acme-1',
      'acme-old',
    ]);
    const foreign = await request('GET', '/api/events', bearer(ACME_KEY, 'globex'));
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json<{ message: string }>().message).toBe(
      'this API key is bound to tenant acme and cannot act for tenant globex',
    );
    expect((await request('GET', '/api/events/globex-1', bearer(ACME_KEY))).statusCode).toBe(404);
    expect(
      (await request('GET', '/api/events/globex-1', bearer(ACME_KEY, 'globex'))).statusCode,
    ).toBe(403);
  });

  it('stores an event appended with a tenant key under that tenant', async () => {
    const response = await request('POST', '/api/events', bearer(GLOBEX_KEY), {
      eventId: 'globex-appended',
      eventType: 'CustomerNoted',
      aggregateId: 1,
      aggregateType: 'Customer',
      eventData: {},
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ tenantId: 'globex' });
    const spoofed = await request('POST', '/api/events', bearer(GLOBEX_KEY), {
      eventType: 'CustomerNoted',
      aggregateId: 1,
      aggregateType: 'Customer',
      eventData: {},
      tenantId: 'acme',
    });
    expect(spoofed.statusCode).toBe(400);
  });

  it('lets the operator key act for any tenant, the default one without a header', async () => {
    expect(idsOf(await request('GET', '/api/events', bearer(OPERATOR_KEY, 'globex')))).toEqual([
      'globex-1',
      'globex-appended',
    ]);
    expect(idsOf(await request('GET', '/api/events', bearer(OPERATOR_KEY)))).toEqual(['default-1']);
  });

  it('shows soft-deleted events to the operator key only', async () => {
    const tenant = await request('GET', '/api/events?includeDeleted=true', bearer(ACME_KEY));
    expect(tenant.statusCode).toBe(403);
    expect(tenant.json<{ message: string }>().message).toBe(
      'includeDeleted needs the operator API key',
    );
    expect(
      (await request('GET', '/api/events/acme-deleted?includeDeleted=true', bearer(ACME_KEY)))
        .statusCode,
    ).toBe(403);
    expect(
      idsOf(await request('GET', '/api/events?includeDeleted=true', bearer(OPERATOR_KEY, 'acme'))),
    ).toEqual(['acme-1', 'acme-deleted', 'acme-old']);
  });

  it('runs cleanup for the operator key only', async () => {
    const denied = await request('POST', '/api/events/cleanup', bearer(ACME_KEY), {
      olderThanDays: 30,
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json<{ message: string }>().message).toBe(
      'this operation needs the operator API key',
    );
    const valid = await db.query(`select is_valid from ff_events where event_id = 'acme-old'`);
    expect(valid.rows).toEqual([{ is_valid: true }]);

    const allowed = await request('POST', '/api/events/cleanup', bearer(OPERATOR_KEY, 'acme'), {
      olderThanDays: 30,
    });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.json()).toEqual({ cleaned: 1 });
  });

  it('serves health and the API description without a key', async () => {
    expect((await request('GET', '/health')).statusCode).toBe(200);
    expect((await request('GET', '/docs-json')).statusCode).toBe(200);
  });

  it('refuses a malformed X-Tenant-Id with 400', async () => {
    const response = await request('GET', '/api/events', bearer(OPERATOR_KEY, 'bad tenant!'));
    expect(response.statusCode).toBe(400);
    expect(response.json<{ message: string }>().message).toMatch(/X-Tenant-Id must be/);
  });

  it('holds its rules under generated keys and tenant headers: no key but a configured one gets in, no tenant key leaves its tenant', async () => {
    const header = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.constantFrom(ACME_KEY, GLOBEX_KEY, OPERATOR_KEY).map((key) => `Bearer ${key}x`),
      fc.constantFrom(ACME_KEY, OPERATOR_KEY).map((key) => `bearer ${key.slice(1)}`),
    );
    const tenant = fc.oneof(
      fc.constantFrom('acme', 'globex', 'default', '*'),
      fc.string({ maxLength: 60 }),
    );
    await fc.assert(
      fc.asyncProperty(
        header,
        fc.option(tenant, { nil: undefined }),
        async (authorization, tenantId) => {
          const response = await request('GET', '/api/events', {
            authorization,
            ...(tenantId === undefined ? {} : { 'x-tenant-id': tenantId }),
          });
          return response.statusCode === 401 || response.statusCode === 400;
        },
      ),
      { numRuns: 400 },
    );
    await fc.assert(
      fc.asyncProperty(tenant, async (tenantId) => {
        const response = await request('GET', '/api/events', bearer(ACME_KEY, tenantId));
        if (response.statusCode !== 200) return [400, 403].includes(response.statusCode);
        return response
          .json<{ items: { tenantId: string }[] }>()
          .items.every((item) => item.tenantId === 'acme');
      }),
      { numRuns: 400 },
    );
  });
});
