import { MikroORM } from '@mikro-orm/postgresql';
import { migrateUp } from '../../src/database/migration-runner.js';
import { ormConfig } from '../../src/database/orm.config.js';
import { OnboardingStageCompletedEvent } from '../../src/onboarding/onboarding-stage-completed.event.js';
import { onboardingStageCompletedMapping } from '../../src/onboarding/onboarding-stage-completed.mapping.js';
import { seedEvents, type SeedEvent } from '../support/seed-events.js';
import { startService, type ServiceProcess } from '../support/service-process.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

const EVENTS = 3_000;
const INSTANCES = 3;

/** A stored OnboardingStageCompleted event whose legacy-log handler failed once. */
function failedOnce(index: number): SeedEvent {
  const event = new OnboardingStageCompletedEvent({
    eventId: `multi-${index}`,
    tenantId: `tenant-${index % 4}`,
    onboardingId: 10_000 + index,
    leadId: `lead-${index}`,
    workflowId: 3,
    workflowName: 'Standard',
    completedStageId: 7,
    completedStageName: 'KYC',
    stageCategory: 'Compliance',
    completionRate: 50,
    isFinalStage: false,
    responsibleTeam: 'Ops',
    assigneeName: 'Ana',
    source: 'Workflow',
  });
  return {
    eventId: event.eventId,
    tenantId: event.tenantId,
    eventType: 'OnboardingStageCompleted',
    aggregateId: event.onboardingId,
    eventData: onboardingStageCompletedMapping.toEnvelope(event).eventData,
    eventStatus: 'Failed',
    processCount: 1,
    requiresRetry: true,
    // Not due until every instance is up; then all become due at once.
    nextRetryAt: new Date(Date.now() + 24 * 3_600_000),
    handlers: { 'legacy-stage-log': { status: 'failed', attempts: 1 } },
  };
}

describe('three instances sweeping one database', () => {
  let db: TestDatabase;
  let services: ServiceProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const orm = await MikroORM.init(ormConfig(db.url));
    await orm.connect();
    await migrateUp(orm);
    await orm.close();
    await seedEvents(
      db,
      Array.from({ length: EVENTS }, (_, i) => failedOnce(i)),
    );
  });

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop('SIGKILL')));
    await db.drop();
  });

  it('retries every due event exactly once and writes one legacy row per event', async () => {
    services = await Promise.all(
      Array.from({ length: INSTANCES }, () =>
        startService({
          DATABASE_URL: db.url,
          EVENTS_RETRY_SWEEP_INTERVAL_MS: '100',
          EVENTS_RETRY_BATCH_SIZE: '25',
          LOG_LEVEL: 'warn',
        }),
      ),
    );
    await db.query(`update ff_events set next_retry_at = now() - interval '1 second'`);

    await waitFor(
      async () => {
        const { rows } = await db.query<{ n: number }>(
          `select count(*)::int as n from ff_events where event_status = 'Processed'`,
        );
        return rows[0].n === EVENTS ? true : undefined;
      },
      'every event to be retried',
      120_000,
    );
    const endings = await Promise.all(services.map((service) => service.stop('SIGTERM')));
    expect(endings).toEqual([0, 0, 0]);

    const attempts = await db.query<{ process_count: number; ledger: string; n: number }>(
      `select process_count, event_metadata #>> '{handlers,legacy-stage-log,attempts}' as ledger,
              count(*)::int as n
       from ff_events group by 1, 2`,
    );
    expect(attempts.rows).toEqual([{ process_count: 2, ledger: '2', n: EVENTS }]);

    const legacy = await db.query<{ rows: number; events: number; matched: number }>(
      `select count(*)::int as rows, count(distinct log_data->>'eventId')::int as events,
              (select count(*)::int from ff_events e where exists (
                 select 1 from ff_stage_completion_log l
                 where l.log_data->>'eventId' = e.event_id)) as matched
       from ff_stage_completion_log`,
    );
    expect(legacy.rows).toEqual([{ rows: EVENTS, events: EVENTS, matched: EVENTS }]);

    // Which instance retried what: the claim and the outcome both stamp modify_by.
    const byInstance = await db.query<{ modify_by: string; n: number }>(
      `select modify_by, count(*)::int as n from ff_events group by 1 order by 1`,
    );
    process.stdout.write(
      `multi-instance: ${EVENTS} events retried by ${JSON.stringify(byInstance.rows)}\n`,
    );
    expect(byInstance.rows.length).toBeGreaterThan(1);
    expect(byInstance.rows.reduce((sum, row) => sum + row.n, 0)).toBe(EVENTS);
  }, 240_000);
});
