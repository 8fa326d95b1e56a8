import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

const stageCompletedBody = {
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
  tags: ['fast'],
};

const appendBody = {
  eventType: 'CustomerNoted',
  aggregateId: 77,
  aggregateType: 'Customer',
  eventData: { note: 'called back' },
  eventTags: ['crm'],
};

describe('ingest routes', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;

  const counts = async () =>
    (
      await db.query<{ events: string; legacy: string }>(
        `select (select count(*) from ff_events) as events,
                (select count(*) from ff_stage_completion_log) as legacy`,
      )
    ).rows[0];

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.url);
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  describe('POST /api/events', () => {
    it('stores the event: 201 with the stored row; the same eventId again: 200, nothing written twice', async () => {
      const body = { ...appendBody, eventId: 'append-1', relatedEntityId: '9007199254740993' };
      const first = await app.inject({
        method: 'POST',
        url: '/api/events',
        headers: { 'x-tenant-id': 'globex' },
        payload: body,
      });
      expect(first.statusCode).toBe(201);
      expect(first.json()).toMatchObject({
        eventId: 'append-1',
        eventType: 'CustomerNoted',
        aggregateId: 77,
        aggregateType: 'Customer',
        eventSource: 'Unknown',
        eventData: { note: 'called back' },
        eventTags: ['crm'],
        eventStatus: 'Processed',
        processCount: 1,
        relatedEntityId: '9007199254740993',
        tenantId: 'globex',
        isValid: true,
      });

      const again = await app.inject({
        method: 'POST',
        url: '/api/events',
        headers: { 'x-tenant-id': 'globex' },
        payload: { ...body, eventData: { note: 'changed' } },
      });
      expect(again.statusCode).toBe(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(again.json()).toMatchObject({
        eventId: 'append-1',
        eventData: { note: 'called back' },
      });
      const rows = await db.query(
        "select count(*)::int as n from ff_events where event_id = 'append-1'",
      );
      expect(rows.rows[0]).toEqual({ n: 1 });
    });

    it('runs the processing handlers of a known event type appended over HTTP', async () => {
      const eventId = 'append-onboarding-1';
      const eventData = {
        ...stageCompletedBody,
        eventId,
        tenantId: 'default',
        timestamp: '2026-01-02T03:04:05.000Z',
        version: '1.0',
        priority: 'Medium',
        businessContext: {},
        routingTags: [],
        description: '',
      };
      const response = await app.inject({
        method: 'POST',
        url: '/api/events',
        payload: {
          eventId,
          eventType: 'OnboardingStageCompleted',
          aggregateId: 2001,
          aggregateType: 'Onboarding',
          eventData,
        },
      });
      expect(response.statusCode).toBe(201);
      await waitFor(async () => {
        const { rows } = await db.query<{ event_status: string }>(
          'select event_status from ff_events where event_id = $1',
          [eventId],
        );
        return rows[0]?.event_status === 'Processed' ? true : undefined;
      }, 'the appended event to be processed');
      const legacy = await db.query<{ stage_name: string }>(
        `select stage_name from ff_stage_completion_log where log_data->>'eventId' = $1`,
        [eventId],
      );
      expect(legacy.rows).toEqual([{ stage_name: 'Welcome call' }]);
    });

    it('generates an eventId when none is given and uses the default tenant without a header', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/api/events',
        payload: appendBody,
      });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({
        eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        tenantId: 'default',
      });
    });

    it.each([
      ['a missing eventType', { ...appendBody, eventType: undefined }, /eventType/],
      [
        'a non-numeric aggregateId',
        { ...appendBody, aggregateId: 'abc' },
        /aggregateId must be a whole number within int64/,
      ],
      [
        'an aggregateId past int64',
        { ...appendBody, aggregateId: '9223372036854775808' },
        /aggregateId/,
      ],
      [
        'eventData that is not an object',
        { ...appendBody, eventData: 'x' },
        /eventData must be an object/,
      ],
      [
        'a malformed timestamp',
        { ...appendBody, eventTimestamp: 'yesterday' },
        /eventTimestamp must be a date or date-time/,
      ],
      ['tags that are not strings', { ...appendBody, eventTags: [1] }, /eventTags/],
      ['an unknown field', { ...appendBody, colour: 'red' }, /property colour should not exist/],
      [
        'another tenant in the body',
        { ...appendBody, tenantId: 'other' },
        /tenantId other does not match the request's tenant default/,
      ],
    ])('answers 400 naming the field for %s, and writes nothing', async (_, payload, message) => {
      const before = await counts();
      const response = await app.inject({ method: 'POST', url: '/api/events', payload });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(response.json<{ message: string }>().message).toMatch(message);
      expect(await counts()).toEqual(before);
    });

    it.each([
      [
        '413 for a body over the limit',
        'application/json',
        `"${'a'.repeat(1_100_000)}"`,
        413,
        'Payload Too Large',
      ],
      [
        '415 for a content type it does not read',
        'application/xml',
        '<event/>',
        415,
        'Unsupported Media Type',
      ],
    ])('answers %s as {statusCode, error, message}', async (_, type, payload, status, error) => {
      const response = await app.inject({
        method: 'POST',
        url: '/api/events',
        headers: { 'content-type': type },
        payload,
      });
      expect(response.statusCode).toBe(status);
      expect(response.json()).toEqual({ statusCode: status, error, message: expect.any(String) });
    });

    it('answers 400 for a body that is not JSON', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/api/events',
        headers: { 'content-type': 'application/json' },
        payload: '{"eventType":',
      });
      expect(response.statusCode).toBe(400);
    });
  });

  describe('POST /api/onboarding/stage-completed', () => {
    it('publishes the event on the bus: 202 with its eventId, then stored and logged', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/api/onboarding/stage-completed',
        headers: { 'x-tenant-id': 'acme' },
        payload: stageCompletedBody,
      });
      expect(response.statusCode).toBe(202);
      const { eventId } = response.json<{ eventId: string }>();
      const row = await waitFor(async () => {
        const { rows } = await db.query<{ event_status: string; tenant_id: string }>(
          'select event_status, tenant_id from ff_events where event_id = $1',
          [eventId],
        );
        return rows[0]?.event_status === 'Processed' ? rows[0] : undefined;
      }, 'the published event to be processed');
      expect(row.tenant_id).toBe('acme');
      const legacy = await db.query(
        `select 1 from ff_stage_completion_log where log_data->>'eventId' = $1`,
        [eventId],
      );
      expect(legacy.rowCount).toBe(1);
    });

    it.each([
      [
        'a missing onboardingId',
        { ...stageCompletedBody, onboardingId: undefined },
        /onboardingId/,
      ],
      [
        'a string completionRate',
        { ...stageCompletedBody, completionRate: 'half' },
        /completionRate/,
      ],
      [
        'completionRate over 100',
        { ...stageCompletedBody, completionRate: 101 },
        /completionRate must not be greater than 100/,
      ],
      [
        'isFinalStage not boolean',
        { ...stageCompletedBody, isFinalStage: 'no' },
        /isFinalStage must be a boolean/,
      ],
      ['an unsafe id', { ...stageCompletedBody, workflowId: 2 ** 60 }, /workflowId/],
      [
        'a bad nested relatedEntity',
        { ...stageCompletedBody, relatedEntity: { entityType: 1 } },
        /relatedEntity\.entityType/,
      ],
      [
        'another tenant in the body',
        { ...stageCompletedBody, tenantId: 'globex' },
        /tenantId globex does not match/,
      ],
    ])(
      'answers 400 naming the field for %s, and publishes nothing',
      async (_, payload, message) => {
        const before = await counts();
        const response = await app.inject({
          method: 'POST',
          url: '/api/onboarding/stage-completed',
          payload,
        });
        expect(response.statusCode).toBe(400);
        expect(response.json<{ message: string }>().message).toMatch(message);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(await counts()).toEqual(before);
      },
    );
  });
});
