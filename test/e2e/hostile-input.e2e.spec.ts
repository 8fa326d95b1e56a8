import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fc from 'fast-check';
import { seedEvents } from '../support/seed-events.js';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const BODY_LIMIT = 4_096;
const FILTERS = [
  'eventType',
  'eventStatus',
  'eventSource',
  'aggregateId',
  'aggregateType',
  'relatedEntityId',
  'relatedEntityType',
  'eventId',
  'startDate',
  'endDate',
  'days',
  'tags',
  'requiresRetry',
  'keyword',
  'data',
  'pageIndex',
  'pageSize',
  'sortField',
  'sortOrder',
  'includeDeleted',
];
const SQL_FRAGMENTS = [
  "'; drop table ff_events; --",
  "' or '1'='1",
  '1; update ff_events set is_valid = false',
  '%',
  '_',
  '\\',
  '") or 1=1 --',
];

/** Strings a hostile client sends: SQL, huge numbers, odd Unicode, JSON-looking text. */
const hostileString = fc.oneof(
  fc.constantFrom(...SQL_FRAGMENTS),
  fc.constantFrom('1e12', '-1', '9223372036854775808', '-0', 'NaN', 'Infinity', '0x10', ''),
  fc.constantFrom('{"a":', '[1,2]', '{"__proto__":{"x":1}}', 'null', 'true'),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

describe('hostile and broken input', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;

  const snapshot = async () =>
    (
      await db.query<{ events: string; legacy: string; digest: string }>(
        `select (select count(*) from ff_events) as events,
                (select count(*) from ff_stage_completion_log) as legacy,
                (select md5(string_agg(event_id || event_status || is_valid::text, ',' order by id))
                   from ff_events) as digest`,
      )
    ).rows[0];

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.url, {
      LOG_LEVEL: 'fatal',
      HTTP_BODY_LIMIT_BYTES: String(BODY_LIMIT),
    });
    await seedEvents(db, [
      { eventId: 'keep-1', tenantId: 'default', eventTags: ['a'], eventData: { x: 1 } },
      { eventId: 'keep-2', tenantId: 'default', eventStatus: 'Failed', requiresRetry: true },
    ]);
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('refuses a body over the configured limit with 413 and stores nothing', async () => {
    const before = await snapshot();
    const response = await app.inject({
      method: 'POST',
      url: '/api/events',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({
        eventType: 'T',
        aggregateId: 1,
        aggregateType: 'A',
        eventData: { text: 'x'.repeat(BODY_LIMIT) },
      }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ statusCode: 413, message: expect.any(String) });
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    [
      'a NUL character',
      '{"eventType":"T","aggregateId":1,"aggregateType":"A","eventData":{"x":"a\\u0000b"}}',
      /NUL character/,
    ],
    [
      'nesting 100 levels deep',
      `{"eventType":"T","aggregateId":1,"aggregateType":"A","eventData":${'{"a":'.repeat(100)}1${'}'.repeat(100)}}`,
      /nested more than 64 levels/,
    ],
    [
      'a __proto__ key',
      '{"eventType":"T","aggregateId":1,"aggregateType":"A","eventData":{"__proto__":{"polluted":1}}}',
      /not valid JSON/,
    ],
    ['truncated JSON', '{"eventType":"T","aggregateId":', /not valid JSON/],
    [
      'wrong types',
      '{"eventType":7,"aggregateId":true,"aggregateType":[],"eventData":"x"}',
      /eventType must be a string/,
    ],
  ])('answers 400 to %s and stores nothing', async (_, payload, message) => {
    const before = await snapshot();
    const response = await app.inject({
      method: 'POST',
      url: '/api/events',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ message: string }>().message).toMatch(message);
    expect(await snapshot()).toEqual(before);
  });

  it('answers 400 to a body that is not UTF-8', async () => {
    const before = await snapshot();
    const response = await app.inject({
      method: 'POST',
      url: '/api/events',
      headers: { 'content-type': 'application/json' },
      payload: Buffer.concat([
        Buffer.from('{"eventType":"'),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from('","aggregateId":1,"aggregateType":"A","eventData":{}}'),
      ]),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ message: string }>().message).toMatch(/not valid UTF-8/);
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['a path parameter', '/api/events/a%00b'],
    ['a query parameter', '/api/events?keyword=a%00b'],
    ['a repeated query parameter', '/api/events?tags=a&tags=b%00'],
  ])('answers 400 to a NUL character in %s', async (_, url) => {
    const response = await app.inject({ url });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ message: string }>().message).toMatch(/NUL character/);
  });

  it('treats SQL in every string filter as a value: no error, no match, nothing changed', async () => {
    const before = await snapshot();
    for (const filter of [
      'eventType',
      'eventSource',
      'aggregateType',
      'relatedEntityType',
      'eventId',
      'keyword',
    ]) {
      for (const fragment of SQL_FRAGMENTS) {
        const response = await app.inject({
          url: `/api/events?${filter}=${encodeURIComponent(fragment)}`,
        });
        expect(response.statusCode).toBe(200);
        expect(response.json<{ total: number }>().total).toBe(0);
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it('never answers 5xx to thousands of generated requests, and changes no stored row', async () => {
    const before = await snapshot();
    const rssBefore = process.memoryUsage().rss;
    const statuses = new Map<number, number>();
    const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);

    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom(...FILTERS, 'colour'), hostileString, { maxKeys: 5 }),
        async (query) => {
          const search = new URLSearchParams(query).toString();
          const response = await app.inject({ url: `/api/events?${search}` });
          count(response.statusCode);
          return response.statusCode < 500;
        },
      ),
      { numRuns: 1_500 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/api/events',
          '/api/events/cleanup',
          '/api/onboarding/stage-completed',
          '/api/events/keep-2/processed',
        ),
        fc.oneof(
          fc.anything({ maxDepth: 4 }),
          fc.record(
            {
              eventType: hostileString,
              aggregateId: fc.oneof(hostileString, fc.double(), fc.bigInt().map(String)),
              aggregateType: hostileString,
              eventData: fc.oneof(fc.object({ maxDepth: 3 }), hostileString),
              olderThanDays: fc.oneof(fc.integer({ min: -10, max: 0 }), hostileString, fc.double()),
              onboardingId: fc.oneof(fc.double(), hostileString),
            },
            { requiredKeys: [] },
          ),
        ),
        async (url, body) => {
          const response = await app.inject({
            method: 'POST',
            url,
            headers: { 'content-type': 'application/json' },
            payload: JSON.stringify(body) ?? 'null',
          });
          count(response.statusCode);
          // A generated body that happens to be valid may be stored; none may fail the server.
          return response.statusCode < 500;
        },
      ),
      { numRuns: 1_000 },
    );
    await fc.assert(
      fc.asyncProperty(hostileString, async (id) => {
        const response = await app.inject({ url: `/api/events/${encodeURIComponent(id)}` });
        count(response.statusCode);
        return response.statusCode < 500;
      }),
      { numRuns: 500 },
    );

    const after = await snapshot();
    expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
    // Rows can only have been added by the generated requests answered 201 or 202.
    const created = (statuses.get(201) ?? 0) + (statuses.get(202) ?? 0);
    expect(Number(after.events) - Number(before.events)).toBeLessThanOrEqual(created);
    const kept = await db.query<{ event_id: string; event_status: string; is_valid: boolean }>(
      `select event_id, event_status, is_valid from ff_events where event_id like 'keep-%' order by 1`,
    );
    expect(kept.rows).toEqual([
      { event_id: 'keep-1', event_status: 'Processed', is_valid: true },
      { event_id: 'keep-2', event_status: 'Processed', is_valid: true },
    ]);
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
    process.stdout.write(`hostile input: ${JSON.stringify(Object.fromEntries(statuses))}\n`);
  }, 180_000);
});
