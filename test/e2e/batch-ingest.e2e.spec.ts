import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

interface BatchItem {
  index: number;
  eventId: string | null;
  status: string;
  error?: string;
}
interface BatchResult {
  created: number;
  duplicates: number;
  rejected: number;
  spooled: number;
  items: BatchItem[];
}

const event = (eventId: string, extra: Record<string, unknown> = {}) => ({
  eventId,
  eventType: 'CustomerNoted',
  aggregateId: 7,
  aggregateType: 'Customer',
  eventData: { note: eventId },
  ...extra,
});

describe('POST /api/events/batch', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;

  const post = (payload: unknown, tenant = 'acme') =>
    app.inject({
      method: 'POST',
      url: '/api/events/batch',
      headers: { 'x-tenant-id': tenant, 'content-type': 'application/json' },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  const stored = async (prefix: string) =>
    (
      await db.query<{ event_id: string; tenant_id: string }>(
        `select event_id, tenant_id from ff_events where event_id like $1 order by event_id`,
        [`${prefix}%`],
      )
    ).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.url);
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('judges each event on its own and answers every one in the request order', async () => {
    expect((await post({ events: [event('mix-old')] })).statusCode).toBe(200);
    expect((await post({ events: [event('mix-theirs')] }, 'globex')).statusCode).toBe(200);

    const response = await post({
      events: [
        event('mix-new'),
        event('mix-old'),
        {
          eventType: 'CustomerNoted',
          aggregateType: 'Customer',
          eventData: {},
          eventId: 'mix-bad',
        },
        event('mix-theirs'),
        event('mix-other-tenant', { tenantId: 'globex' }),
        event('mix-new'),
        event('mix-reserved', { eventMetadata: { handlers: {} } }),
        'not an event',
      ],
    });

    expect(response.statusCode).toBe(200);
    const result = response.json<BatchResult>();
    expect(result).toMatchObject({ created: 1, duplicates: 2, rejected: 5, spooled: 0 });
    expect(result.items).toEqual([
      { index: 0, eventId: 'mix-new', status: 'created' },
      { index: 1, eventId: 'mix-old', status: 'duplicate' },
      {
        index: 2,
        eventId: 'mix-bad',
        status: 'rejected',
        error: expect.stringContaining('aggregateId') as string,
      },
      {
        index: 3,
        eventId: 'mix-theirs',
        status: 'rejected',
        error: 'eventId mix-theirs is already used by another event',
      },
      {
        index: 4,
        eventId: 'mix-other-tenant',
        status: 'rejected',
        error: expect.stringContaining('tenant') as string,
      },
      { index: 5, eventId: 'mix-new', status: 'duplicate' },
      {
        index: 6,
        eventId: 'mix-reserved',
        status: 'rejected',
        error: 'eventMetadata.handlers is written by the service only',
      },
      { index: 7, eventId: null, status: 'rejected', error: expect.any(String) as string },
    ]);
    // Nothing of another tenant was touched, nothing refused was written.
    expect(await stored('mix-')).toEqual([
      { event_id: 'mix-new', tenant_id: 'acme' },
      { event_id: 'mix-old', tenant_id: 'acme' },
      { event_id: 'mix-theirs', tenant_id: 'globex' },
    ]);
  });

  it('refuses the id of an event deleted since, as a single append does with 409', async () => {
    expect((await post({ events: [event('deleted-1')] })).json<BatchResult>().created).toBe(1);
    await db.query(`update ff_events set is_valid = false where event_id = 'deleted-1'`);
    const again = await post({ events: [event('deleted-1'), event('deleted-2')] });
    const message =
      'eventId deleted-1 was used by an event that has since been deleted; ids are never reused';
    expect(again.json<BatchResult>()).toMatchObject({ created: 1, duplicates: 0, rejected: 1 });
    expect(again.json<BatchResult>().items[0]).toEqual({
      index: 0,
      eventId: 'deleted-1',
      status: 'rejected',
      error: message,
    });
    const single = await app.inject({
      method: 'POST',
      url: '/api/events',
      headers: { 'x-tenant-id': 'acme' },
      payload: event('deleted-1'),
    });
    expect(single.statusCode).toBe(409);
    expect(single.json<{ message: string }>().message).toBe(message);
  });

  it('writes a batch in one transaction and answers once it is committed', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `one-tx-${String(i).padStart(4, '0')}`);
    const response = await post({ events: ids.map((id) => event(id)) });
    expect(response.statusCode).toBe(200);
    expect(response.json<BatchResult>()).toMatchObject({ created: 1000, rejected: 0 });
    const { rows } = await db.query<{ events: string; transactions: string }>(
      `select count(*) as events, count(distinct tx_id) as transactions
       from ff_events where event_id like 'one-tx-%'`,
    );
    expect(rows[0]).toEqual({ events: '1000', transactions: '1' });
  });

  it('runs the processing handlers of each new event of a type this service processes', async () => {
    const eventId = 'batch-onboarding-1';
    const eventData = {
      eventId,
      tenantId: 'acme',
      onboardingId: 2001,
      leadId: 'lead-1',
      workflowId: 9,
      workflowName: 'Fast track',
      completedStageId: 5,
      completedStageName: 'Welcome call',
      stageCategory: 'Sales',
      completionRate: 25,
      isFinalStage: false,
      responsibleTeam: 'Sales',
      assigneeName: 'Bo',
      source: 'Portal',
      tags: [],
      timestamp: '2026-01-02T03:04:05.000Z',
      version: '1.0',
      priority: 'Medium',
      businessContext: {},
      routingTags: [],
      description: '',
    };
    const response = await post({
      events: [
        {
          eventId,
          eventType: 'OnboardingStageCompleted',
          aggregateId: 2001,
          aggregateType: 'Onboarding',
          eventData,
        },
      ],
    });
    expect(response.json<BatchResult>()).toMatchObject({ created: 1 });
    const legacy = await waitFor(async () => {
      const { rows } = await db.query<{ stage_name: string }>(
        `select stage_name from ff_stage_completion_log where log_data->>'eventId' = $1`,
        [eventId],
      );
      return rows.length > 0 ? rows : undefined;
    }, 'the legacy row of the batched event');
    expect(legacy).toEqual([{ stage_name: 'Welcome call' }]);
  });

  it.each([
    ['an array', []],
    ['an object without events', {}],
    ['events that are not an array', { events: { eventId: 'x' } }],
    ['no events', { events: [] }],
    [
      'more than 1000 events',
      { events: Array.from({ length: 1001 }, (_, i) => event(`many-${i}`)) },
    ],
    ['an unknown field', { events: [event('unknown-field-1')], atomic: true }],
    ['null', 'null'],
  ])('answers 400 for a body that is %s, and writes nothing', async (_, payload) => {
    const response = await post(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(await stored('many-')).toEqual([]);
    expect(await stored('unknown-field-')).toEqual([]);
  });

  it('takes bodies over the single-event limit, and refuses one over its own limit with 413', async () => {
    const text = 'x'.repeat(2_000);
    const big = {
      events: Array.from({ length: 600 }, (_, i) =>
        event(`big-${i}`, { eventDescription: 'd', eventData: { text } }),
      ),
    };
    expect(JSON.stringify(big).length).toBeGreaterThan(1_048_576);
    const response = await post(big);
    expect(response.statusCode).toBe(200);
    expect(response.json<BatchResult>().created).toBe(600);

    // One event may not use the batch's room: it gets what a single append gets.
    const wide = Object.fromEntries(Array.from({ length: 25_000 }, (_, i) => [`k${i}`, i]));
    const oneTooLarge = await post({
      events: [event('wide-1', { eventData: wide }), event('small-1')],
    });
    expect(oneTooLarge.statusCode).toBe(200);
    expect(oneTooLarge.json<BatchResult>().items).toEqual([
      {
        index: 0,
        eventId: 'wide-1',
        status: 'rejected',
        error: 'the event has more than 20000 keys and array items (HTTP_JSON_MAX_ENTRIES)',
      },
      { index: 1, eventId: 'small-1', status: 'created' },
    ]);
    const heavy = await post({
      events: [event('heavy-1', { eventData: { text: 'x'.repeat(1_100_000) } })],
    });
    expect(heavy.json<BatchResult>().items[0]).toMatchObject({
      status: 'rejected',
      error: expect.stringContaining('HTTP_BODY_LIMIT_BYTES') as string,
    });

    const tooBig = await post({
      events: [event('huge-1', { eventData: { text: 'x'.repeat(17_000_000) } })],
    });
    expect(tooBig.statusCode).toBe(413);
    expect(await stored('huge-')).toEqual([]);
  });
});
