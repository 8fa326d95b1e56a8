import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fc from 'fast-check';
import { InFlightTracker } from '../../src/event-store/processing/in-flight.tracker.js';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

const stageCompleted = {
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
};
const appendBody = { eventType: 'Noted', aggregateId: 1, aggregateType: 'Note', eventData: {} };

/** A JSON object with `n` keys, written by hand so that its size is what the test says. */
function wideObject(n: number): string {
  const members: string[] = [];
  for (let i = 0; i < n; i += 1) members.push(`"${i.toString(36)}":0`);
  return `{${members.join(',')}}`;
}

describe('input that once stalled the service, crashed it or was stored altered', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;

  const post = (url: string, payload: string | object) =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  const count = async () =>
    Number((await db.query<{ n: string }>('select count(*) as n from ff_events')).rows[0].n);
  const settled = () =>
    waitFor(
      () => Promise.resolve(app.get(InFlightTracker).size === 0 ? true : undefined),
      'every handler run to finish',
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.url, { HTTP_JSON_MAX_ENTRIES: '20000' });
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  describe('wide JSON', () => {
    it('refuses more keys and array items than HTTP_JSON_MAX_ENTRIES with 413, storing nothing', async () => {
      const before = await count();
      const body = `{"eventType":"Noted","aggregateId":1,"aggregateType":"Note","eventData":${wideObject(100_000)}}`;
      expect(body.length).toBeLessThan(1_048_576);
      const response = await post('/api/events', body);
      expect(response.statusCode).toBe(413);
      expect(response.json()).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        message: 'eventData holds more than 20000 keys and array items (HTTP_JSON_MAX_ENTRIES)',
      });
      expect(await count()).toBe(before);
    });

    it('stores a free-form object under the limit whole', async () => {
      const response = await post(
        '/api/events',
        `{"eventType":"Noted","aggregateId":1,"aggregateType":"Note","eventData":${wideObject(15_000)}}`,
      );
      expect(response.statusCode).toBe(201);
      const { eventId } = response.json<{ eventId: string }>();
      const { rows } = await db.query<{ keys: string }>(
        `select (select count(*) from jsonb_object_keys(event_data)) as keys
         from ff_events where event_id = $1`,
        [eventId],
      );
      expect(rows[0].keys).toBe('15000');
    });
  });

  describe('unpaired surrogates and text cut at the column', () => {
    it.each([
      ['/api/events', { ...appendBody, eventDescription: 'a\ud800b' }, 'eventDescription'],
      [
        '/api/events',
        { ...appendBody, eventData: { note: ['ok', '\udc00'] } },
        'eventData.note[1]',
      ],
      ['/api/onboarding/stage-completed', { ...stageCompleted, leadId: '\ud83d' }, 'leadId'],
      [
        '/api/onboarding/stage-completed',
        { ...stageCompleted, businessContext: { '\ud800': 1 } },
        'businessContext',
      ],
    ])(
      'answers 400 naming the field to an unpaired surrogate sent to %s',
      async (url, body, field) => {
        const before = await count();
        const response = await post(url, body);
        expect(response.statusCode).toBe(400);
        expect(response.json<{ message: string }>().message).toBe(
          `${field} contains an unpaired surrogate (\\ud800-\\udfff escape), which is not Unicode text`,
        );
        await settled();
        expect(await count()).toBe(before);
      },
    );

    it.each([
      ['data', '/api/events?data=' + encodeURIComponent('{"a":"\\ud800"}'), 'data.a contains'],
      ['a path parameter', '/api/events/%ED%A0%80', ''],
    ])('answers 400 to an unpaired surrogate in %s', async (_, url, message) => {
      const response = await app.inject({ url });
      expect(response.statusCode).toBe(400);
      expect(response.json<{ message: string }>().message).toContain(message);
    });

    it('cuts an over-long description at a character, never inside an emoji', async () => {
      const description = `${'a'.repeat(498)}😀b`;
      const response = await post('/api/events', { ...appendBody, eventDescription: description });
      expect(response.statusCode).toBe(201);
      expect(response.json<{ eventDescription: string }>().eventDescription).toBe(
        `${'a'.repeat(498)}😀b`,
      );
      const longer = await post('/api/events', {
        ...appendBody,
        eventDescription: `${'a'.repeat(498)}😀😀b`,
      });
      expect(longer.statusCode).toBe(201);
      expect(longer.json<{ eventDescription: string }>().eventDescription).toBe(
        `${'a'.repeat(498)}😀…`,
      );
    });

    it('writes the legacy row of a stage name with an emoji at the 200-character cut', async () => {
      const response = await post('/api/onboarding/stage-completed', {
        ...stageCompleted,
        completedStageName: `${'s'.repeat(199)}😀😀`,
      });
      expect(response.statusCode).toBe(202);
      const { eventId } = response.json<{ eventId: string }>();
      const row = await waitFor(async () => {
        const { rows } = await db.query<{ event_status: string }>(
          'select event_status from ff_events where event_id = $1',
          [eventId],
        );
        return rows[0]?.event_status === 'Published' ? undefined : rows[0];
      }, 'the event to be processed');
      expect(row.event_status).toBe('Processed');
      const legacy = await db.query<{ stage_name: string }>(
        `select stage_name from ff_stage_completion_log where log_data->>'eventId' = $1`,
        [eventId],
      );
      expect(legacy.rows).toEqual([{ stage_name: `${'s'.repeat(199)}…` }]);
    });
  });

  describe('dates', () => {
    it.each([
      '2024-W05-3',
      '2024-366',
      '2024-02-30',
      '2024-01-01T24:00:00Z',
      '+002024-01-01',
      '0001-01-01T00:00+00:01',
      '9999-12-31T23:59-00:01',
    ])('answers 400 to %s in every date field', async (date) => {
      const before = await count();
      for (const [url, body, field] of [
        ['/api/events', { ...appendBody, eventTimestamp: date }, 'eventTimestamp'],
        ['/api/onboarding/stage-completed', { ...stageCompleted, timestamp: date }, 'timestamp'],
      ] as const) {
        const response = await post(url, body);
        expect(response.statusCode).toBe(400);
        expect(response.json<{ message: string }>().message).toContain(`${field} must be a date`);
      }
      for (const field of ['startDate', 'endDate']) {
        const response = await app.inject({
          url: `/api/events?${field}=${encodeURIComponent(date)}`,
        });
        expect(response.statusCode).toBe(400);
        expect(response.json<{ message: string }>().message).toContain(`${field} must be a date`);
      }
      expect(await count()).toBe(before);
    });

    it('returns the years 1 to 99 as stored, not as 19xx', async () => {
      const response = await post('/api/events', { ...appendBody, eventTimestamp: '0050-06-01' });
      expect(response.statusCode).toBe(201);
      const { eventId, eventTimestamp } = response.json<{
        eventId: string;
        eventTimestamp: string;
      }>();
      expect(eventTimestamp).toBe('0050-06-01T00:00:00.000Z');
      const read = await app.inject({ url: `/api/events/${eventId}` });
      expect(read.json<{ eventTimestamp: string }>().eventTimestamp).toBe(
        '0050-06-01T00:00:00.000Z',
      );
    });

    it('stores a timestamp with an offset as the instant it names', async () => {
      const response = await post('/api/events', {
        ...appendBody,
        eventTimestamp: '2024-05-01T12:30:00.5+02:00',
      });
      expect(response.json<{ eventTimestamp: string }>().eventTimestamp).toBe(
        '2024-05-01T10:30:00.500Z',
      );
    });
  });

  describe('numbers in event data', () => {
    it('stores and returns numbers a double cannot hold with their exact value', async () => {
      const body =
        '{"eventType":"Noted","aggregateId":9007199254740993,"aggregateType":"Note",' +
        '"eventData":{"big":12345678901234567890,"huge":1e400,"precise":0.30000000000000001,"plain":1.5,"nested":[{"id":9223372036854775807}]}}';
      const response = await post('/api/events', body);
      expect(response.statusCode).toBe(201);
      const { eventId } = response.json<{ eventId: string }>();
      const { rows } = await db.query<{ data: string; aggregate_id: string }>(
        'select event_data::text as data, aggregate_id from ff_events where event_id = $1',
        [eventId],
      );
      expect(rows[0].aggregate_id).toBe('9007199254740993');
      expect(rows[0].data).toBe(
        `{"big": 12345678901234567890, "huge": 1${'0'.repeat(400)}, "plain": 1.5, "nested": [{"id": 9223372036854775807}], "precise": 0.30000000000000001}`,
      );
      const read = await app.inject({ url: `/api/events/${eventId}` });
      expect(read.body).toContain('"big":12345678901234567890');
      expect(read.body).toContain('"precise":0.30000000000000001');
      expect(read.body).toContain('"id":9223372036854775807');
      expect(read.body).toContain('"aggregateId":"9007199254740993"');
    });

    it('finds an event by a number it holds exactly', async () => {
      const response = await app.inject({
        url: `/api/events?data=${encodeURIComponent('{"big":12345678901234567890}')}`,
      });
      expect(response.json<{ total: number }>().total).toBe(1);
      const other = await app.inject({
        url: `/api/events?data=${encodeURIComponent('{"big":12345678901234567891}')}`,
      });
      expect(other.json<{ total: number }>().total).toBe(0);
    });

    it.each([
      [
        '1e131071',
        'eventData.n holds a number (1e131071) of more than 1000 digits written out; send it as a string',
      ],
      [
        '1e-20000',
        'eventData.n holds a number (1e-20000) of more than 1000 digits written out; send it as a string',
      ],
      [
        `[${Array.from({ length: 30 }, () => '1e400').join(',')}]`,
        'eventData.n[25] holds numbers in exponent form (1e400) that would take more than 10000 digits more when stored; write them out or send them as strings',
      ],
    ])('answers 400 to %s, which jsonb would print too long', async (number, message) => {
      const response = await post(
        '/api/events',
        `{"eventType":"Noted","aggregateId":1,"aggregateType":"Note","eventData":{"n":${number}}}`,
      );
      expect(response.statusCode).toBe(400);
      expect(response.json<{ message: string }>().message).toBe(message);
    });

    it('refuses by name a typed number that is not exact', async () => {
      const response = await post(
        '/api/onboarding/stage-completed',
        JSON.stringify(stageCompleted).replace(
          '"onboardingId":2001',
          '"onboardingId":12345678901234567890',
        ),
      );
      expect(response.statusCode).toBe(400);
      expect(response.json<{ message: string }>().message).toMatch(/^onboardingId/);
    });
  });

  describe('refused fields', () => {
    it('counts an id in characters as PostgreSQL does, variation selectors included', async () => {
      const response = await post('/api/events', {
        ...appendBody,
        eventId: `${'a'.repeat(99)}b\ufe0f`,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json<{ message: string }>().message).toBe(
        'eventId must be shorter than or equal to 100 characters',
      );
    });

    it.each(['handlers', 'processingInfo', 'markedProcessed'])(
      'answers 400 to eventMetadata.%s, which only the service writes',
      async (key) => {
        const response = await post('/api/events', { ...appendBody, eventMetadata: { [key]: {} } });
        expect(response.statusCode).toBe(400);
        expect(response.json<{ message: string }>().message).toBe(
          `eventMetadata.${key} is written by the service only`,
        );
      },
    );

    it.each(['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'])(
      'answers 400 to an unknown query parameter named %s',
      async (name) => {
        const response = await app.inject({ url: `/api/events?${name}=1` });
        expect(response.statusCode).toBe(400);
        expect(response.json<{ message: string }>().message).toBe(
          `property ${name} should not exist`,
        );
      },
    );
  });

  it('never answers 5xx to arbitrary text and dates in every field of both ingest routes, and stores every event it acknowledges', async () => {
    const text = fc.oneof(
      { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }), weight: 5 },
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.string({
        unit: fc.integer({ min: 0xd7f0, max: 0xe010 }).map((c) => String.fromCharCode(c)),
        maxLength: 4,
      }),
      fc.string({ unit: 'grapheme', minLength: 190, maxLength: 520 }),
    );
    const date = fc.oneof(
      text,
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.constantFrom('2024-W05-3', '2024-366', '2024-02-29', '0000-01-01', '9999-12-31T23:59:59Z'),
    );
    const acknowledged: string[] = [];
    const statuses = new Map<number, number>();

    const appendFields = {
      eventId: text,
      eventType: text,
      eventVersion: text,
      eventTimestamp: date,
      aggregateType: text,
      eventSource: text,
      eventDescription: text,
      eventTags: fc.array(text, { maxLength: 3 }),
      relatedEntityType: text,
      eventData: fc.dictionary(text, text, { maxKeys: 3 }),
      eventMetadata: fc.dictionary(text, text, { maxKeys: 3 }),
    };
    const stageFields = {
      eventId: text,
      timestamp: date,
      version: text,
      leadId: text,
      workflowName: text,
      completedStageName: text,
      stageCategory: text,
      nextStageName: text,
      responsibleTeam: text,
      assigneeName: text,
      priority: text,
      source: text,
      description: text,
      tags: fc.array(text, { maxLength: 3 }),
      routingTags: fc.array(text, { maxLength: 3 }),
      businessContext: fc.dictionary(text, text, { maxKeys: 3 }),
    };
    const check = async (url: string, body: object) => {
      const response = await post(url, body);
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      if (response.statusCode >= 500) return false;
      if (response.statusCode < 300)
        acknowledged.push(response.json<{ eventId: string }>().eventId);
      return true;
    };

    /** Up to three fields of a valid body replaced by generated values. */
    const overrides = (fields: Record<string, fc.Arbitrary<unknown>>) =>
      fc
        .array(
          fc.oneof(...Object.entries(fields).map(([key, value]) => value.map((v) => [key, v]))),
          { maxLength: 3 },
        )
        .map((pairs) => Object.fromEntries(pairs as [string, unknown][]));
    await fc.assert(
      fc.asyncProperty(overrides(appendFields), (fields) =>
        check('/api/events', { ...appendBody, ...fields }),
      ),
      { numRuns: 400 },
    );
    await fc.assert(
      fc.asyncProperty(overrides(stageFields), (fields) =>
        check('/api/onboarding/stage-completed', { ...stageCompleted, ...fields }),
      ),
      { numRuns: 400 },
    );
    await settled();

    expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
    const { rows } = await db.query<{ n: string }>(
      'select count(*) as n from ff_events where event_id = any($1)',
      [acknowledged.map((id) => id.slice(0, 100))],
    );
    expect(Number(rows[0].n)).toBe(new Set(acknowledged).size);
    expect(acknowledged.length).toBeGreaterThan(100);
    process.stdout.write(`input integrity: ${JSON.stringify(Object.fromEntries(statuses))}\n`);
  }, 180_000);
});
