import { jest } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ReadPool } from '../../src/database/read-pool.js';
import { SqlPool } from '../../src/database/sql.js';
import { daysAgo, seedEvents, type SeedEvent } from '../support/seed-events.js';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface EventJson {
  eventId: string;
  tenantId: string;
  [field: string]: unknown;
}

interface Page {
  items: EventJson[];
  total: number;
  pageIndex: number;
  pageSize: number;
  totalPages: number;
}

const now = Date.now();
const hoursAgo = (hours: number) => new Date(now - hours * 3_600_000);

/** Two tenants with overlapping ids, types and aggregates, so that any leak shows. */
const FIXTURE: SeedEvent[] = [
  {
    eventId: 'a1',
    tenantId: 'acme',
    aggregateId: 1,
    eventSource: 'Portal',
    eventTags: ['kyc', 'eu'],
    eventData: { stage: 'KYC', region: 'EU', nested: { level: 2 } },
    eventDescription: 'KYC stage completed',
    eventStatus: 'Processed',
    relatedEntityId: 10,
    relatedEntityType: 'Stage',
    eventTimestamp: hoursAgo(20),
    durationMs: 10,
  },
  {
    eventId: 'a2',
    tenantId: 'acme',
    aggregateId: 1,
    eventSource: 'Workflow',
    eventTags: ['kyc'],
    eventData: { stage: 'Contract', region: 'EU' },
    eventDescription: 'Contract signed',
    eventStatus: 'Failed',
    processCount: 2,
    requiresRetry: true,
    nextRetryAt: hoursAgo(1),
    eventTimestamp: hoursAgo(36),
    durationMs: 30,
  },
  {
    eventId: 'a3',
    tenantId: 'acme',
    aggregateId: 2,
    eventSource: 'Portal',
    eventTags: ['eu'],
    eventData: { stage: 'KYC', region: 'US' },
    eventDescription: 'stage 100% done_ok',
    eventStatus: 'Failed',
    processCount: 4,
    requiresRetry: false,
    eventTimestamp: hoursAgo(72),
    durationMs: 50,
  },
  {
    eventId: 'a4',
    tenantId: 'acme',
    eventType: 'InvoicePaid',
    aggregateId: 7,
    aggregateType: 'Invoice',
    eventSource: 'Billing',
    eventTags: ['billing'],
    eventData: { amount: 5 },
    eventDescription: 'invoice paid',
    eventStatus: 'Published',
    eventTimestamp: daysAgo(10, now),
  },
  {
    eventId: 'a5',
    tenantId: 'acme',
    eventType: 'InvoicePaid',
    aggregateId: 7,
    aggregateType: 'Invoice',
    eventSource: 'Billing',
    eventStatus: 'Processed',
    eventTimestamp: daysAgo(40, now),
  },
  {
    eventId: 'a6-deleted',
    tenantId: 'acme',
    aggregateId: 1,
    eventTags: ['kyc', 'eu'],
    eventData: { stage: 'KYC', region: 'EU' },
    eventDescription: 'KYC stage completed',
    eventTimestamp: hoursAgo(10),
    isValid: false,
  },
  {
    eventId: 'a7',
    tenantId: 'acme',
    aggregateId: 3,
    eventSource: 'Portal',
    eventStatus: 'Failed',
    processCount: 1,
    requiresRetry: true,
    nextRetryAt: new Date(now + 3_600_000),
    eventTimestamp: hoursAgo(30),
    durationMs: 20,
  },
  {
    eventId: 'g1',
    tenantId: 'globex',
    aggregateId: 1,
    eventSource: 'Portal',
    eventTags: ['kyc', 'eu'],
    eventData: { stage: 'KYC', region: 'EU' },
    eventDescription: 'KYC stage completed',
    eventStatus: 'Failed',
    processCount: 1,
    requiresRetry: true,
    nextRetryAt: hoursAgo(2),
    eventTimestamp: hoursAgo(5),
  },
  {
    eventId: 'g2',
    tenantId: 'globex',
    eventType: 'InvoicePaid',
    aggregateId: 7,
    aggregateType: 'Invoice',
    eventSource: 'Billing',
    eventStatus: 'Processed',
    eventTimestamp: hoursAgo(6),
  },
];

describe('query routes', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;

  const get = (url: string, tenant = 'acme') =>
    app.inject({ method: 'GET', url, headers: { 'x-tenant-id': tenant } });
  const ids = (events: EventJson[]) => events.map((event) => event.eventId);
  const pageIds = async (query: string, tenant = 'acme') => {
    const response = await get(`/api/events?${query}`, tenant);
    expect(response.statusCode).toBe(200);
    return ids(response.json<Page>().items).sort();
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.url);
    await seedEvents(db, FIXTURE);
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it.each([
    '/api/events',
    '/api/events?keyword=kyc',
    '/api/events/statistics',
    '/api/events/failed',
    '/api/events/failures',
    '/api/events/a1',
    '/api/events/types/OnboardingStageCompleted',
    '/api/events/aggregates/Onboarding/1',
  ])("runs %s on the reads' share of the pool alone", async (url) => {
    const reads = jest.spyOn(app.get(ReadPool), 'query');
    const all = jest.spyOn(app.get(SqlPool), 'query');
    try {
      expect((await get(url)).statusCode).toBe(200);
      expect(reads).toHaveBeenCalled();
      // Each read's statement reaches the pool through the reads' share, and nothing else does.
      expect(all).toHaveBeenCalledTimes(reads.mock.calls.length);
    } finally {
      reads.mockRestore();
      all.mockRestore();
    }
  });

  it("answers a repeated POST and a retry's or a mark's event on the writes' connections, not behind the reads' limit", async () => {
    // A tenant of its own, so that the other cases see the fixture as it was.
    const post = (url: string, payload?: object) =>
      app.inject({ method: 'POST', url, headers: { 'x-tenant-id': 'writer' }, payload });
    const event = {
      eventId: 'w1',
      eventType: 'CustomerNoted',
      aggregateType: 'Customer',
      aggregateId: 1,
      eventData: { note: 'called back' },
    };
    expect((await post('/api/events', event)).statusCode).toBe(201);
    const reads = jest.spyOn(app.get(ReadPool), 'query');
    try {
      expect((await post('/api/events', event)).statusCode).toBe(200);
      expect((await post('/api/events/w1/processed')).statusCode).toBe(200);
      expect((await post('/api/events/w1/retry')).statusCode).toBe(409);
      expect(reads).not.toHaveBeenCalled();
    } finally {
      reads.mockRestore();
    }
  });

  describe('GET /api/events', () => {
    it("lists the tenant's valid events, newest first, with exact totals", async () => {
      const response = await get('/api/events');
      expect(response.statusCode).toBe(200);
      const page = response.json<Page>();
      expect(ids(page.items)).toEqual(['a1', 'a7', 'a2', 'a3', 'a4', 'a5']);
      expect(page).toMatchObject({ total: 6, pageIndex: 1, pageSize: 20, totalPages: 1 });
    });

    it.each([
      ['eventType=InvoicePaid', ['a4', 'a5']],
      ['eventStatus=Failed', ['a2', 'a3', 'a7']],
      ['eventSource=Billing', ['a4', 'a5']],
      ['aggregateId=1&aggregateType=Onboarding', ['a1', 'a2']],
      ['aggregateType=Invoice', ['a4', 'a5']],
      ['relatedEntityId=10&relatedEntityType=Stage', ['a1']],
      ['eventId=a2', ['a2']],
      ['days=2', ['a1', 'a2', 'a7']],
      [
        `startDate=${daysAgo(11, now).toISOString()}&endDate=${hoursAgo(48).toISOString()}`,
        ['a3', 'a4'],
      ],
      ['tags=kyc,eu', ['a1']],
      ['tags=kyc&tags=eu', ['a1']],
      ['tags=kyc', ['a1', 'a2']],
      ['requiresRetry=true', ['a2', 'a7']],
      ['requiresRetry=false', ['a1', 'a3', 'a4', 'a5']],
      ['keyword=kyc', ['a1']],
      ['keyword=100%25', ['a3']],
      ['keyword=d_ne', []],
      ['keyword=done_ok', ['a3']],
      [`data=${encodeURIComponent('{"region":"EU"}')}`, ['a1', 'a2']],
      [`data=${encodeURIComponent('{"stage":"KYC","region":"US"}')}`, ['a3']],
      [`data=${encodeURIComponent('{"nested":{"level":2}}')}`, ['a1']],
      ['eventStatus=Failed&tags=eu', ['a3']],
    ])('narrows by %s', async (query, expected) => {
      expect(await pageIds(query)).toEqual([...expected].sort());
    });

    it('pages with exact totals and sorts by a whitelisted field in either order', async () => {
      const first = (
        await get('/api/events?pageSize=4&sortField=eventTimestamp&sortOrder=asc')
      ).json<Page>();
      expect(first).toMatchObject({ total: 6, pageSize: 4, totalPages: 2 });
      expect(ids(first.items)).toEqual(['a5', 'a4', 'a3', 'a2']);
      const second = (await get('/api/events?pageSize=4&pageIndex=2&sortOrder=asc')).json<Page>();
      expect(ids(second.items)).toEqual(['a7', 'a1']);
      const beyond = (await get('/api/events?pageSize=4&pageIndex=9')).json<Page>();
      expect(beyond).toMatchObject({ items: [], total: 6, pageIndex: 9 });
      const byCount = (await get('/api/events?sortField=processCount&sortOrder=desc')).json<Page>();
      expect(ids(byCount.items)[0]).toBe('a3');
    });

    it('orders and pages tag and data matches like any other result', async () => {
      const ordered = async (query: string) =>
        ids((await get(`/api/events?${query}`)).json<Page>().items);
      expect(await ordered('tags=eu&sortOrder=asc')).toEqual(['a3', 'a1']);
      expect(await ordered('tags=eu')).toEqual(['a1', 'a3']);
      expect(await ordered('tags=eu&pageSize=1&pageIndex=2')).toEqual(['a3']);
      const data = encodeURIComponent('{"region":"EU"}');
      expect(await ordered(`data=${data}&sortField=processCount&sortOrder=desc`)).toEqual([
        'a2',
        'a1',
      ]);
      const page = (await get(`/api/events?data=${data}&pageSize=1`)).json<Page>();
      expect(page).toMatchObject({ total: 2, totalPages: 2 });
    });

    it('shows soft-deleted events only when asked for explicitly', async () => {
      expect(await pageIds('tags=kyc,eu')).toEqual(['a1']);
      expect(await pageIds('tags=kyc,eu&includeDeleted=true')).toEqual(['a1', 'a6-deleted']);
    });

    it.each([
      ['sortField=tenant_id', /sortField must be one of eventTimestamp/],
      ['sortOrder=up', /sortOrder must be asc or desc/],
      ['pageSize=0', /pageSize must not be less than 1/],
      ['pageSize=-5', /pageSize must not be less than 1/],
      ['pageSize=201', /pageSize must not be greater than 200/],
      ['pageSize=ten', /pageSize must be an integer/],
      ['pageIndex=0', /pageIndex must not be less than 1/],
      ['pageIndex=1000000000000', /pageIndex must not be greater than 1000000/],
      ['startDate=yesterday', /startDate must be a date or date-time/],
      ['endDate=2026-02-30', /endDate must be a date or date-time/],
      [
        `startDate=${hoursAgo(1).toISOString()}&endDate=${hoursAgo(2).toISOString()}`,
        /startDate must not be after endDate/,
      ],
      ['aggregateId=abc', /aggregateId must be a whole number within int64/],
      [
        'relatedEntityId=9223372036854775808',
        /relatedEntityId must be a whole number within int64/,
      ],
      ['data=%7Bnot-json', /data must be a URL-encoded JSON object/],
      ['data=%5B1%2C2%5D', /data must be a URL-encoded JSON object/],
      ['eventStatus=Done', /eventStatus must be one of Published, Processed, Failed, Retry/],
      ['requiresRetry=maybe', /requiresRetry must be true or false/],
      ['days=0', /days must not be less than 1/],
      ['pageSize=10&pageSize=20', /pageSize/],
      ['colour=red', /property colour should not exist/],
    ])('answers 400 naming the parameter for %s', async (query, message) => {
      const response = await get(`/api/events?${query}`);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(response.json<{ message: string }>().message).toMatch(message);
    });
  });

  describe('GET /api/events/:eventId', () => {
    it('returns the event with the columns of the spec in camelCase', async () => {
      const response = await get('/api/events/a1');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        eventId: 'a1',
        eventType: 'StageCompleted',
        eventVersion: '1.0',
        aggregateId: 1,
        aggregateType: 'Onboarding',
        eventSource: 'Portal',
        eventData: { stage: 'KYC', region: 'EU' },
        eventDescription: 'KYC stage completed',
        eventStatus: 'Processed',
        processCount: 1,
        relatedEntityId: 10,
        relatedEntityType: 'Stage',
        eventTags: ['kyc', 'eu'],
        requiresRetry: false,
        nextRetryAt: null,
        maxRetryCount: 3,
        tenantId: 'acme',
        isValid: true,
        eventTimestamp: hoursAgo(20).toISOString(),
      });
      expect(Object.keys(response.json<object>())).toHaveLength(27);
    });

    it('answers 404 for an unknown id and for a soft-deleted one unless asked for', async () => {
      expect((await get('/api/events/nope')).statusCode).toBe(404);
      const deleted = await get('/api/events/a6-deleted');
      expect(deleted.statusCode).toBe(404);
      expect(deleted.json()).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: 'event a6-deleted not found',
      });
      const asked = await get('/api/events/a6-deleted?includeDeleted=true');
      expect(asked.json()).toMatchObject({ eventId: 'a6-deleted', isValid: false });
    });

    it('answers 400 for an id longer than the column', async () => {
      const response = await get(`/api/events/${'x'.repeat(101)}`);
      expect(response.statusCode).toBe(400);
      expect(response.json<{ message: string }>().message).toMatch(/eventId must be shorter/);
    });
  });

  describe('GET /api/events/types/:eventType', () => {
    it('returns the type within the last N days, newest first', async () => {
      const response = await get('/api/events/types/StageCompleted');
      expect(response.statusCode).toBe(200);
      expect(ids(response.json())).toEqual(['a1', 'a7', 'a2', 'a3']);
      expect(ids((await get('/api/events/types/StageCompleted?days=2')).json())).toEqual([
        'a1',
        'a7',
        'a2',
      ]);
      expect(ids((await get('/api/events/types/InvoicePaid')).json())).toEqual(['a4']);
      expect(ids((await get('/api/events/types/InvoicePaid?days=60')).json())).toEqual([
        'a4',
        'a5',
      ]);
      expect(ids((await get('/api/events/types/StageCompleted?limit=1')).json())).toEqual(['a1']);
    });

    it.each([
      ['days=abc', /days must be an integer/],
      ['days=-3', /days must not be less than 1/],
      ['limit=5000', /limit must not be greater than 1000/],
    ])('answers 400 for %s', async (query, message) => {
      const response = await get(`/api/events/types/StageCompleted?${query}`);
      expect(response.statusCode).toBe(400);
      expect(response.json<{ message: string }>().message).toMatch(message);
    });
  });

  describe('GET /api/events/aggregates/:aggregateType/:aggregateId', () => {
    it("returns the aggregate's events newest first, or in replay order", async () => {
      expect(ids((await get('/api/events/aggregates/Onboarding/1')).json())).toEqual(['a1', 'a2']);
      expect(ids((await get('/api/events/aggregates/Onboarding/1?order=asc')).json())).toEqual([
        'a2',
        'a1',
      ]);
      expect(ids((await get('/api/events/aggregates/Invoice/7?limit=1')).json())).toEqual(['a4']);
    });

    it.each([
      ['/api/events/aggregates/Onboarding/abc', /aggregateId must be a whole number within int64/],
      ['/api/events/aggregates/Onboarding/1?order=sideways', /order must be asc or desc/],
      ['/api/events/aggregates/Onboarding/1?limit=0', /limit must not be less than 1/],
    ])('answers 400 for %s', async (url, message) => {
      const response = await get(url);
      expect(response.statusCode).toBe(400);
      expect(response.json<{ message: string }>().message).toMatch(message);
    });
  });

  describe('GET /api/events/failed', () => {
    it('returns only Failed events whose retry is due', async () => {
      const response = await get('/api/events/failed');
      expect(response.statusCode).toBe(200);
      expect(ids(response.json())).toEqual(['a2']);
      expect((await get('/api/events/failed?limit=abc')).statusCode).toBe(400);
    });
  });

  describe('tenant isolation', () => {
    it("never returns another tenant's events through any read route", async () => {
      expect(await pageIds('', 'globex')).toEqual(['g1', 'g2']);
      expect(await pageIds('eventId=a1', 'globex')).toEqual([]);
      expect(await pageIds('tags=kyc,eu&includeDeleted=true', 'globex')).toEqual(['g1']);
      expect((await get('/api/events/a1', 'globex')).statusCode).toBe(404);
      expect((await get('/api/events/a6-deleted?includeDeleted=true', 'globex')).statusCode).toBe(
        404,
      );
      expect((await get('/api/events/g1', 'acme')).statusCode).toBe(404);
      expect(ids((await get('/api/events/types/StageCompleted', 'globex')).json())).toEqual(['g1']);
      expect(ids((await get('/api/events/aggregates/Onboarding/1', 'globex')).json())).toEqual([
        'g1',
      ]);
      expect(ids((await get('/api/events/failed', 'globex')).json())).toEqual(['g1']);
      const statistics = (await get('/api/events/statistics?days=30', 'globex')).json<{
        total: number;
      }>();
      expect(statistics.total).toBe(2);
      expect(ids((await get('/api/events', 'nobody')).json<Page>().items)).toEqual([]);
    });
  });

  describe('GET /api/events/statistics', () => {
    interface Statistics {
      total: number;
      byStatus: Record<string, number>;
      byType: { eventType: string; total: number; failed: number; dead: number }[];
      bySource: { eventSource: string; total: number }[];
      byDay: { day: string; total: number }[];
      successRate: number;
      errorRate: number;
      retriesMade: number;
      deadEvents: number;
      processingTimeMs: { average: number | null; p95: number | null };
      storage: { eventsTableBytes: number; legacyLogTableBytes: number; totalBytes: number };
    }

    /** The same figures, counted directly in SQL over the seeded rows. */
    async function expected(days: number) {
      const scope = `tenant_id = 'acme' and is_valid and event_timestamp >= now() - interval '${days} days'`;
      const one = async <T>(sql: string) => (await db.query(sql)).rows as T[];
      const [totals] = await one<{
        total: number;
        processed: number;
        failed: number;
        dead: number;
        retries: number;
        avg: number | null;
        p95: number | null;
      }>(
        `select count(*)::int as total,
           count(*) filter (where event_status = 'Processed')::int as processed,
           count(*) filter (where event_status = 'Failed')::int as failed,
           count(*) filter (where event_status = 'Failed' and not requires_retry)::int as dead,
           coalesce(sum(process_count - 1), 0)::int as retries,
           avg((event_metadata->'processingInfo'->>'durationMs')::float8)
             filter (where event_status in ('Processed', 'Failed') and event_metadata->'handlers' <> '{}') as avg,
           percentile_cont(0.95) within group (order by (event_metadata->'processingInfo'->>'durationMs')::float8)
             filter (where event_status in ('Processed', 'Failed') and event_metadata->'handlers' <> '{}') as p95
         from ff_events where ${scope}`,
      );
      const group = async (column: string) =>
        Object.fromEntries(
          (
            await one<{ key: string; n: number }>(
              `select ${column} as key, count(*)::int as n from ff_events where ${scope} group by 1`,
            )
          ).map((row) => [row.key, row.n]),
        );
      return {
        totals,
        byStatus: await group('event_status'),
        byType: await group('event_type'),
        bySource: await group('event_source'),
        byDay: await group(`(event_timestamp at time zone 'UTC')::date::text`),
        sizes: (
          await one<{ events: number; legacy: number }>(
            `select pg_total_relation_size('ff_events')::float8 as events,
                    pg_total_relation_size('ff_stage_completion_log')::float8 as legacy`,
          )
        )[0],
      };
    }

    it.each([7, 30, 60])('over %i days equals a direct SQL count of the rows', async (days) => {
      const response = await get(`/api/events/statistics?days=${days}`);
      expect(response.statusCode).toBe(200);
      const statistics = response.json<Statistics>();
      const want = await expected(days);
      expect(statistics.total).toBe(want.totals.total);
      expect(statistics.byStatus).toEqual({
        Published: 0,
        Processed: 0,
        Failed: 0,
        Retry: 0,
        ...want.byStatus,
      });
      expect(
        Object.fromEntries(statistics.byType.map((row) => [row.eventType, row.total])),
      ).toEqual(want.byType);
      expect(
        Object.fromEntries(statistics.bySource.map((row) => [row.eventSource, row.total])),
      ).toEqual(want.bySource);
      expect(Object.fromEntries(statistics.byDay.map((row) => [row.day, row.total]))).toEqual(
        want.byDay,
      );
      expect(statistics.successRate).toBeCloseTo(want.totals.processed / want.totals.total, 4);
      expect(statistics.errorRate).toBeCloseTo(want.totals.failed / want.totals.total, 4);
      expect(statistics.retriesMade).toBe(want.totals.retries);
      expect(statistics.deadEvents).toBe(want.totals.dead);
      expect(statistics.processingTimeMs.average).toBeCloseTo(want.totals.avg ?? NaN, 2);
      // The p95 comes from a histogram whose buckets are 2^(1/4) (about 19%) wide.
      const p95 = statistics.processingTimeMs.p95!;
      expect(Math.abs(p95 - want.totals.p95!) / want.totals.p95!).toBeLessThan(0.19);
      expect(statistics.storage.eventsTableBytes).toBe(want.sizes.events);
      expect(statistics.storage.totalBytes).toBe(want.sizes.events + want.sizes.legacy);
    });

    it('gives the known figures of the fixture over 7 days', async () => {
      const statistics = (await get('/api/events/statistics')).json<Statistics>();
      expect(statistics).toMatchObject({
        total: 4,
        byStatus: { Processed: 1, Failed: 3, Published: 0, Retry: 0 },
        successRate: 0.25,
        errorRate: 0.75,
        retriesMade: 4,
        deadEvents: 1,
      });
      expect(statistics.byType).toEqual([
        expect.objectContaining({ eventType: 'StageCompleted', total: 4, failed: 3, dead: 1 }),
      ]);
      expect(statistics.processingTimeMs.average).toBe(27.5);
    });

    it('counts from the start of the hour N days ago, through the partial first day and whole days', async () => {
      const HOUR = 3_600_000;
      const from = Math.floor((Date.now() - 10 * 86_400_000) / HOUR) * HOUR;
      const firstWholeDay = Math.ceil(from / 86_400_000) * 86_400_000;
      await seedEvents(db, [
        { eventId: 'w-before', tenantId: 'window', eventTimestamp: new Date(from - 60_000) },
        { eventId: 'w-first-hour', tenantId: 'window', eventTimestamp: new Date(from + 60_000) },
        { eventId: 'w-day-start', tenantId: 'window', eventTimestamp: new Date(firstWholeDay) },
        { eventId: 'w-day-end', tenantId: 'window', eventTimestamp: new Date(firstWholeDay - 1) },
        { eventId: 'w-today', tenantId: 'window', eventTimestamp: new Date() },
      ]);
      const statistics = (await get('/api/events/statistics?days=10', 'window')).json<Statistics>();
      const inWindow = [from + 60_000, firstWholeDay, firstWholeDay - 1, Date.now()].filter(
        (time) => time >= from,
      );
      expect(statistics.total).toBe(inWindow.length);
      const perDay = new Map<string, number>();
      for (const time of inWindow) {
        const day = new Date(time).toISOString().slice(0, 10);
        perDay.set(day, (perDay.get(day) ?? 0) + 1);
      }
      expect(Object.fromEntries(statistics.byDay.map((row) => [row.day, row.total]))).toEqual(
        Object.fromEntries(perDay),
      );
    });

    it.each(['days=0', 'days=3651', 'days=week'])('answers 400 for %s', async (query) => {
      const response = await get(`/api/events/statistics?${query}`);
      expect(response.statusCode).toBe(400);
      expect(response.json<{ message: string }>().message).toMatch(/days/);
    });
  });
});
