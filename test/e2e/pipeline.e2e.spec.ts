import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus } from '@nestjs/cqrs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InFlightTracker } from '../../src/event-store/processing/in-flight.tracker.js';
import { STARTUP_REPLAY_WAIT_MS } from '../../src/event-store/spool/outage.spool.js';
import { OnboardingStageCompletedEvent } from '../../src/onboarding/onboarding-stage-completed.event.js';
import {
  InvoiceModule,
  InvoicePaidEvent,
  invoicePaidMapping,
  LedgerHandler,
  ReceiptHandler,
} from '../support/invoice-paid.feature.js';
import { LogCapture } from '../support/log-capture.js';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

interface EventRow {
  [column: string]: unknown;
  event_status: string;
  process_count: number;
  error_message: string | null;
  requires_retry: boolean;
  next_retry_at: Date | null;
  event_metadata: { handlers: Record<string, { status: string; attempts: number }> };
}

function stageCompleted(
  overrides: Partial<ConstructorParameters<typeof OnboardingStageCompletedEvent>[0]> = {},
) {
  return new OnboardingStageCompletedEvent({
    tenantId: 'acme',
    onboardingId: 1001,
    leadId: 'lead-7',
    workflowId: 55,
    workflowName: 'Standard onboarding',
    completedStageId: 3,
    completedStageName: 'KYC',
    stageCategory: 'Compliance',
    nextStageId: 4,
    nextStageName: 'Contract',
    completionRate: 60,
    isFinalStage: false,
    responsibleTeam: 'Ops',
    assigneeId: 12,
    assigneeName: 'Ana',
    businessContext: { region: 'EU' },
    routingTags: ['ops', 'kyc'],
    priority: 'High',
    source: 'Workflow',
    relatedEntity: {
      entityType: 'Stage',
      entityId: '3',
      entityName: 'KYC',
      entityStatus: 'Done',
      properties: {},
    },
    description: 'KYC stage completed',
    tags: ['onboarding', 'kyc'],
    ...overrides,
  });
}

describe('event pipeline', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let bus: EventBus;
  const logs = new LogCapture();

  const eventRow = async (eventId: string) =>
    (await db.query<EventRow>('select * from ff_events where event_id = $1', [eventId])).rows[0];
  const legacyRows = async (eventId: string) =>
    (
      await db.query(`select * from ff_stage_completion_log where log_data->>'eventId' = $1`, [
        eventId,
      ])
    ).rows;
  const settled = (eventId: string, status: string) =>
    waitFor(async () => {
      const row = await eventRow(eventId);
      return row?.event_status === status ? row : undefined;
    }, `event ${eventId} to be ${status}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(
      db.url,
      { LOG_LEVEL: 'info', EVENTS_HANDLER_TIMEOUT_MS: '1500' },
      { imports: [InvoiceModule], logDestination: logs },
    );
    bus = app.get(EventBus);
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('stores one published event as one ff_events row mapped as SPEC §2 says, and one legacy row', async () => {
    const event = stageCompleted();
    const before = new Date();
    bus.publish(event);
    const row = await settled(event.eventId, 'Processed');

    expect(row).toMatchObject({
      event_id: event.eventId,
      event_type: 'OnboardingStageCompleted',
      event_version: '1.0',
      event_timestamp: event.timestamp,
      aggregate_id: '1001',
      aggregate_type: 'Onboarding',
      event_source: 'Workflow',
      event_data: JSON.parse(JSON.stringify(event)),
      event_description: 'KYC stage completed',
      event_status: 'Processed',
      process_count: 1,
      error_message: null,
      related_entity_id: '3',
      related_entity_type: 'Stage',
      event_tags: ['onboarding', 'kyc'],
      requires_retry: false,
      next_retry_at: null,
      max_retry_count: 3,
      tenant_id: 'acme',
      is_valid: true,
    });
    expect(row.event_metadata).toMatchObject({
      routingTags: ['ops', 'kyc'],
      priority: 'High',
      source: 'Workflow',
      processingInfo: {
        processedBy: expect.any(String),
        processorVersion: '0.1.0',
        durationMs: expect.any(Number),
      },
      handlers: { 'legacy-stage-log': { status: 'succeeded', attempts: 1 } },
    });
    for (const column of ['last_processed_at', 'create_date', 'modify_date']) {
      expect((row[column] as Date).getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    }

    const legacy = await legacyRows(event.eventId);
    expect(legacy).toHaveLength(1);
    expect(legacy[0]).toMatchObject({
      tenant_id: 'acme',
      onboarding_id: '1001',
      stage_id: '3',
      stage_name: 'KYC',
      log_type: 'stage_completion_event',
      action: 'OnboardingStageCompleted Event',
      success: true,
      source: 'Workflow',
      log_data: { ...JSON.parse(JSON.stringify(event)), processedAt: expect.any(String) },
    });
  });

  it('records a failing legacy log on the stored row: Failed, the cause, a retry due in about 2 minutes', async () => {
    await db.query(`create function fail_legacy() returns trigger language plpgsql as $$
      begin raise exception 'legacy table is read-only today'; end $$`);
    await db.query(`create trigger fail_legacy before insert on ff_stage_completion_log
      for each row execute function fail_legacy()`);
    try {
      const event = stageCompleted();
      bus.publish(event);
      const row = await settled(event.eventId, 'Failed');
      const now = Date.now();

      expect(row.error_message).toMatch(/^legacy-stage-log: .*legacy table is read-only today/);
      expect(row.requires_retry).toBe(true);
      expect(row.process_count).toBe(1);
      const dueInMs = row.next_retry_at!.getTime() - now;
      expect(dueInMs).toBeGreaterThan(2 * 60_000 * 0.9 - 5_000);
      expect(dueInMs).toBeLessThan(2 * 60_000 * 1.1);
      expect(row.event_metadata.handlers['legacy-stage-log']).toMatchObject({
        status: 'failed',
        attempts: 1,
      });
      expect(await legacyRows(event.eventId)).toHaveLength(0);
      const ids = await db.query('select event_id from ff_events where event_id like $1', [
        `${event.eventId}%`,
      ]);
      expect(ids.rows).toEqual([{ event_id: event.eventId }]);

      const failureLine = await waitFor(
        () =>
          Promise.resolve(
            logs.lines.find((l) => l.eventId === event.eventId && l.msg === 'processing failed'),
          ),
        'the failure log line',
      );
      expect(failureLine).toMatchObject({
        eventType: 'OnboardingStageCompleted',
        tenantId: 'acme',
        handler: 'legacy-stage-log',
        err: { stack: expect.stringContaining('legacy table is read-only today') },
      });
    } finally {
      await db.query('drop trigger fail_legacy on ff_stage_completion_log');
      await db.query('drop function fail_legacy()');
    }
  });

  it('runs no handler for an event ff_events refuses, and logs it as lost', async () => {
    await db.query(`create function fail_events() returns trigger language plpgsql as $$
      begin raise exception 'ff_events is down'; end $$`);
    await db.query(`create trigger fail_events before insert on ff_events
      for each row execute function fail_events()`);
    const event = stageCompleted();
    try {
      bus.publish(event);
      const lostLine = await waitFor(
        () =>
          Promise.resolve(
            logs.lines.find(
              (l) =>
                l.eventId === event.eventId &&
                l.msg === 'event lost: could not be stored or spooled',
            ),
          ),
        'the storage failure to be logged',
      );
      expect(lostLine).toMatchObject({
        err: { message: expect.stringMatching(/ff_events is down/) },
      });
      await waitFor(
        () => Promise.resolve(app.get(InFlightTracker).size === 0 ? true : undefined),
        'every handler run to finish',
      );
    } finally {
      await db.query('drop trigger fail_events on ff_events');
      await db.query('drop function fail_events()');
    }
    expect(await eventRow(event.eventId)).toBeUndefined();
    // An event nothing stored has no row to record an outcome on or retry from: its handlers
    // do not run, so the legacy log holds nothing the event table does not.
    expect(await legacyRows(event.eventId)).toHaveLength(0);
  });

  it('keeps one row in each table when the same event is published 100 times concurrently', async () => {
    const event = stageCompleted();
    for (let i = 0; i < 100; i += 1) bus.publish(event);
    // The same id from a separately built event object: a re-publish after a restart.
    for (let i = 0; i < 100; i += 1) bus.publish(stageCompleted({ eventId: event.eventId }));
    await settled(event.eventId, 'Processed');
    await waitFor(
      () => Promise.resolve(app.get(InFlightTracker).size === 0 ? true : undefined),
      'every handler run to finish',
    );
    const counts = await db.query<{ events: string; legacy: string }>(
      `select (select count(*) from ff_events where event_id = $1) as events,
              (select count(*) from ff_stage_completion_log where log_data->>'eventId' = $1) as legacy`,
      [event.eventId],
    );
    expect(counts.rows[0]).toEqual({ events: '1', legacy: '1' });
    const row = await eventRow(event.eventId);
    expect(row.process_count).toBe(1);
    expect(row.event_metadata.handlers['legacy-stage-log']).toMatchObject({
      status: 'succeeded',
      attempts: 1,
    });
  });

  it('stores a second event type and tracks its own handler failing', async () => {
    const ok = new InvoicePaidEvent(randomUUID(), 'acme', 10, 50);
    const refused = new InvoicePaidEvent(randomUUID(), 'acme', 11, -5);
    bus.publish(ok);
    bus.publish(refused);

    const okRow = await settled(ok.eventId, 'Processed');
    expect(okRow).toMatchObject({
      event_type: 'InvoicePaid',
      aggregate_type: 'Invoice',
      aggregate_id: '10',
      event_tags: ['billing'],
    });
    const refusedRow = await settled(refused.eventId, 'Failed');
    expect(refusedRow.error_message).toMatch(/^ledger: Error: ledger refuses amount -5/);
    expect(refusedRow.requires_retry).toBe(true);
    expect(refusedRow.event_metadata.handlers).toMatchObject({
      ledger: { status: 'failed', attempts: 1 },
      receipt: { status: 'succeeded', attempts: 1 },
    });
    expect(await legacyRows(ok.eventId)).toHaveLength(0);
  });

  it('lets a hanging handler delay no other, and records it as failed at the timeout', async () => {
    const event = new InvoicePaidEvent(randomUUID(), 'acme', 999, 20);
    const ledgerRunsBefore = LedgerHandler.runs;
    bus.publish(event);
    const stored = await waitFor(async () => {
      const row = await eventRow(event.eventId);
      return row?.event_metadata.handlers.ledger?.status === 'succeeded' ? row : undefined;
    }, 'the ledger outcome while the receipt handler hangs');
    expect(stored.event_status).toBe('Published');
    expect(LedgerHandler.runs).toBe(ledgerRunsBefore + 1);

    const failed = await settled(event.eventId, 'Failed');
    expect(failed.error_message).toMatch(/receipt: Error: handler did not finish within 1500 ms/);
    ReceiptHandler.release();
  });

  it('goes on with a replay of the outage spool only once its events are processed, serving meanwhile', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'flowflex-replay-'));
    const spool = join(dataDir, 'spool');
    await mkdir(spool);
    const event = new InvoicePaidEvent(randomUUID(), 'acme', 999, 20);
    const envelope = invoicePaidMapping.toEnvelope(event);
    await writeFile(
      join(spool, 'spool.jsonl'),
      `${JSON.stringify({ envelope, handlers: ['ledger', 'receipt'] })}\n`,
    );
    const started = Date.now();
    const replaying = await startTestApp(
      db.url,
      { DATA_DIR: dataDir, EVENTS_HANDLER_TIMEOUT_MS: '60000' },
      { imports: [InvoiceModule], logDestination: logs },
    );
    try {
      expect(Date.now() - started).toBeGreaterThanOrEqual(STARTUP_REPLAY_WAIT_MS);
      expect((await replaying.inject({ url: '/health' })).statusCode).toBe(200);
      const stored = await waitFor(async () => {
        const row = await eventRow(event.eventId);
        return row?.event_metadata.handlers.ledger?.status === 'succeeded' ? row : undefined;
      }, 'the ledger outcome of the replayed event');
      expect(stored.event_status).toBe('Published');
      // The receipt handler hangs: the replay holds its file until the event is processed.
      expect(await readdir(spool)).toEqual([expect.stringMatching(/^replay-\d+\.jsonl$/)]);

      ReceiptHandler.release();
      await settled(event.eventId, 'Processed');
      await waitFor(
        async () => ((await readdir(spool)).length === 0 ? true : undefined),
        'the replayed spool file to be removed',
      );
    } finally {
      ReceiptHandler.release();
      await replaying.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});
