import { randomUUID } from 'node:crypto';
import { EventBus } from '@nestjs/cqrs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RetrySweeper } from '../../src/event-store/sweeps/retry.sweeper.js';
import { InFlightTracker } from '../../src/event-store/processing/in-flight.tracker.js';
import { OnboardingStageCompletedEvent } from '../../src/onboarding/onboarding-stage-completed.event.js';
import { LogCapture } from '../support/log-capture.js';
import { MovableClock } from '../support/movable-clock.js';
import { sample } from '../support/prometheus.js';
import { daysAgo, seedEvents } from '../support/seed-events.js';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

const ACME_KEY = 'acme-key-0123456789';
const GLOBEX_KEY = 'globex-key-0123456789';
const OPERATOR_KEY = 'operator-key-0123456789';
const HOUR_MS = 3_600_000;

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

/**
 * An attacker holding one tenant's key (globex) against another tenant's events (acme), through
 * every route that writes and through the bus: nothing of acme's changes, nothing runs for globex
 * under acme's ids, and each refusal is a clear 409 or a logged, counted refusal.
 */
describe('tenant isolation on writes', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let clock: MovableClock;
  const logs = new LogCapture();

  const as = (key: string, tenant?: string) => ({
    authorization: `Bearer ${key}`,
    ...(tenant ? { 'x-tenant-id': tenant } : {}),
  });
  const post = (url: string, headers: Record<string, string>, payload: object = {}) =>
    app.inject({ method: 'POST', url, headers, payload });
  const row = async (eventId: string) =>
    (await db.query('select * from ff_events where event_id = $1', [eventId])).rows[0] as
      Record<string, unknown> | undefined;
  const legacyRows = async (eventId: string) =>
    (
      await db.query<{ tenant_id: string }>(
        `select tenant_id from ff_stage_completion_log where log_data->>'eventId' = $1`,
        [eventId],
      )
    ).rows;
  const refusedCount = async () =>
    sample(
      (await app.inject({ method: 'GET', url: '/metrics' })).body,
      'flowflex_events_refused_total',
      { event_type: 'OnboardingStageCompleted', reason: 'foreign_event_id' },
    );
  const settled = () =>
    waitFor(
      () => Promise.resolve(app.get(InFlightTracker).size === 0 ? true : undefined),
      'every handler run to finish',
    );

  /** An acme stage-completed event through the service, settled in the given state. */
  async function acmeEvent(state: 'Processed' | 'Failed'): Promise<string> {
    const eventId = randomUUID();
    if (state === 'Failed') {
      await db.query(`create or replace function fail_legacy() returns trigger language plpgsql
        as $$ begin raise exception 'legacy log is read-only'; end $$`);
      await db.query(`create trigger fail_legacy before insert on ff_stage_completion_log
        for each row execute function fail_legacy()`);
    }
    try {
      const response = await post('/api/onboarding/stage-completed', as(ACME_KEY), {
        ...stageCompleted,
        eventId,
      });
      expect(response.statusCode).toBe(202);
      await waitFor(
        async () => ((await row(eventId))?.event_status === state ? true : undefined),
        `acme's event to be ${state}`,
      );
    } finally {
      if (state === 'Failed') await db.query('drop trigger fail_legacy on ff_stage_completion_log');
    }
    return eventId;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(
      db.url,
      {
        LOG_LEVEL: 'info',
        API_KEYS: `${ACME_KEY}:acme,${GLOBEX_KEY}:globex,${OPERATOR_KEY}:*`,
      },
      { logDestination: logs },
    );
    clock = new MovableClock(app, new Date());
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it.each(['Processed', 'Failed'] as const)(
    "refuses POST /api/onboarding/stage-completed with 409 for another tenant's %s event, runs nothing and changes nothing",
    async (state) => {
      const eventId = await acmeEvent(state);
      const before = await row(eventId);
      const refusedBefore = await refusedCount();

      const response = await post('/api/onboarding/stage-completed', as(GLOBEX_KEY), {
        ...stageCompleted,
        eventId,
        completedStageName: 'written by globex',
      });

      expect(response.statusCode).toBe(409);
      expect(response.json()).toEqual({
        statusCode: 409,
        error: 'Conflict',
        message: `eventId ${eventId} is already used by another event`,
      });
      await settled();
      expect(await row(eventId)).toEqual(before);
      expect(await legacyRows(eventId)).toEqual(
        state === 'Processed' ? [{ tenant_id: 'acme' }] : [],
      );
      expect(await refusedCount()).toBe(refusedBefore + 1);
    },
  );

  it("refuses POST /api/events with 409 for another tenant's event and changes nothing", async () => {
    const eventId = await acmeEvent('Failed');
    const before = await row(eventId);
    const response = await post('/api/events', as(GLOBEX_KEY), {
      eventId,
      eventType: 'OnboardingStageCompleted',
      aggregateId: 1,
      aggregateType: 'Onboarding',
      eventData: { ...stageCompleted, eventId, tenantId: 'globex' },
    });
    expect(response.statusCode).toBe(409);
    await settled();
    expect(await row(eventId)).toEqual(before);
    expect(await legacyRows(eventId)).toEqual([]);
  });

  it.each([
    [
      'tenantId',
      { tenantId: 'acme' },
      "eventData.tenantId must be the event's own tenant (globex)",
    ],
    ['eventId', { eventId: 'acme-future-1' }, "eventData.eventId must be the event's own eventId"],
  ])(
    'refuses an appended event of a processed type whose data names another %s, and runs nothing',
    async (_, override, message) => {
      const eventId = randomUUID();
      const response = await post('/api/events', as(GLOBEX_KEY), {
        eventId,
        eventType: 'OnboardingStageCompleted',
        aggregateId: 1,
        aggregateType: 'Onboarding',
        eventData: {
          ...stageCompleted,
          eventId,
          tenantId: 'globex',
          timestamp: '2024-01-01T00:00:00Z',
          ...override,
        },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json<{ message: string }>().message).toContain(message);
      await settled();
      expect(await row(eventId)).toBeUndefined();
      expect(await legacyRows('acme-future-1')).toEqual([]);
      expect(await legacyRows(eventId)).toEqual([]);
    },
  );

  it('answers a squatted id with 409 on both ingest routes, never a silent 202', async () => {
    const eventId = randomUUID();
    const squat = await post('/api/events', as(GLOBEX_KEY), {
      eventId,
      eventType: 'CustomerNoted',
      aggregateId: 1,
      aggregateType: 'Customer',
      eventData: {},
    });
    expect(squat.statusCode).toBe(201);

    const published = await post('/api/onboarding/stage-completed', as(ACME_KEY), {
      ...stageCompleted,
      eventId,
    });
    expect(published.statusCode).toBe(409);
    const appended = await post('/api/events', as(ACME_KEY), {
      eventId,
      eventType: 'CustomerNoted',
      aggregateId: 1,
      aggregateType: 'Customer',
      eventData: {},
    });
    expect(appended.statusCode).toBe(409);
    await settled();
    expect(await row(eventId)).toMatchObject({ tenant_id: 'globex', event_type: 'CustomerNoted' });
    expect(await legacyRows(eventId)).toEqual([]);
  });

  it('logs and counts a bus publish whose id is held by another tenant, and runs no handler', async () => {
    const eventId = await acmeEvent('Processed');
    const before = await row(eventId);
    const refusedBefore = await refusedCount();
    app
      .get(EventBus)
      .publish(
        new OnboardingStageCompletedEvent({ ...stageCompleted, eventId, tenantId: 'globex' }),
      );
    const line = await waitFor(
      () =>
        Promise.resolve(
          logs.lines.find(
            (l) => l.eventId === eventId && l.tenantId === 'globex' && l.level === 40,
          ),
        ),
      'the refusal to be logged',
    );
    expect(line.msg).toBe(
      'event refused: its eventId belongs to another tenant; nothing written, nothing run',
    );
    await settled();
    expect(await refusedCount()).toBe(refusedBefore + 1);
    expect(await row(eventId)).toEqual(before);
    expect(await legacyRows(eventId)).toEqual([{ tenant_id: 'acme' }]);
    expect(
      logs.lines.filter((l) => l.eventId === eventId && l.msg === 'processing started'),
    ).toHaveLength(1);
  });

  it.each([
    ['retry', '/retry'],
    ['mark processed', '/processed'],
  ])("answers %s of another tenant's event with 404 and changes nothing", async (_, action) => {
    const eventId = await acmeEvent('Failed');
    const before = await row(eventId);
    for (const headers of [as(GLOBEX_KEY), as(OPERATOR_KEY, 'globex')]) {
      const response = await post(`/api/events/${eventId}${action}`, headers);
      expect(response.statusCode).toBe(404);
    }
    expect(await row(eventId)).toEqual(before);
  });

  it("cleans up the request tenant's events only", async () => {
    await seedEvents(db, [
      { eventId: 'acme-ancient', tenantId: 'acme', eventTimestamp: daysAgo(400) },
      { eventId: 'globex-ancient', tenantId: 'globex', eventTimestamp: daysAgo(400) },
    ]);
    const response = await post('/api/events/cleanup', as(OPERATOR_KEY, 'globex'), {
      olderThanDays: 300,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ cleaned: 1 });
    expect(await row('acme-ancient')).toMatchObject({ is_valid: true });
    expect(await row('globex-ancient')).toMatchObject({ is_valid: false });
  });

  it("retries another tenant's refused id under its own tenant: the sweep writes acme's legacy row", async () => {
    const eventId = await acmeEvent('Failed');
    app
      .get(EventBus)
      .publish(
        new OnboardingStageCompletedEvent({ ...stageCompleted, eventId, tenantId: 'globex' }),
      );
    await settled();
    clock.advance(HOUR_MS);
    const report = await app.get(RetrySweeper).run();
    expect(report?.retried).toBeGreaterThanOrEqual(1);
    await settled();
    expect(await row(eventId)).toMatchObject({
      tenant_id: 'acme',
      event_status: 'Processed',
      process_count: 2,
    });
    expect(await legacyRows(eventId)).toEqual([{ tenant_id: 'acme' }]);
  });
});
