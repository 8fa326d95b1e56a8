import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgresServer } from '../../src/database/embedded-postgres.server.js';
import { startService, type ServiceProcess } from '../support/service-process.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

const CLIENTS = 8;

function stageCompletedData(eventId: string, index: number) {
  return {
    eventId,
    tenantId: 'default',
    timestamp: new Date().toISOString(),
    version: '1.0',
    onboardingId: 9_000 + index,
    leadId: `lead-${index}`,
    workflowId: 1,
    workflowName: 'Standard',
    completedStageId: 3,
    completedStageName: 'Contract',
    stageCategory: 'Sales',
    completionRate: 80,
    isFinalStage: false,
    responsibleTeam: 'Sales',
    assigneeName: 'Bo',
    businessContext: {},
    routingTags: [],
    priority: 'Medium',
    source: 'Portal',
    description: '',
    tags: [],
  };
}

/** Whatever the service acknowledged survives a SIGKILL in the middle of ingest. */
describe('kill -9 mid-ingest', () => {
  let db: TestDatabase;
  let dataDir: string;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'flowflex-crash-'));
  });

  afterAll(async () => {
    await service?.stop('SIGKILL');
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged event exactly once, and finishes their processing after restart', async () => {
    const env = {
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'fatal',
      EVENTS_RETRY_SWEEP_INTERVAL_MS: '500',
      EVENTS_HANDLER_TIMEOUT_MS: '1000',
      EVENTS_STUCK_TIMEOUT_MS: '3000',
    };
    service = await startService(env);
    const base = `http://127.0.0.1:${service.port}`;
    const acknowledged = new Set<string>();
    let sent = 0;
    let running = true;
    const client = async (id: number) => {
      for (let n = 0; running; n += 1) {
        const index = n * CLIENTS + id;
        const eventId = `crash-${index}`;
        const onboarding = index % 2 === 0;
        sent += 1;
        try {
          const response = await fetch(`${base}/api/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(
              onboarding
                ? {
                    eventId,
                    eventType: 'OnboardingStageCompleted',
                    aggregateId: 9_000 + index,
                    aggregateType: 'Onboarding',
                    eventData: stageCompletedData(eventId, index),
                  }
                : {
                    eventId,
                    eventType: 'CustomerNoted',
                    aggregateId: index,
                    aggregateType: 'Customer',
                    eventData: { n: index },
                  },
            ),
          });
          if ([200, 201, 202].includes(response.status)) acknowledged.add(eventId);
        } catch {
          // The process died under this request: it was never acknowledged.
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, id) => client(id));
    await waitFor(
      () => Promise.resolve(acknowledged.size >= 500 ? true : undefined),
      '500 acknowledged events',
      30_000,
    );
    await service.stop('SIGKILL');
    running = false;
    await Promise.all(clients);

    service = await startService(env);
    const ids = [...acknowledged];
    const counts = async () =>
      (
        await db.query<{ rows: number; distinct: number; unprocessed: number; legacy: number }>(
          `select count(*)::int as rows, count(distinct event_id)::int as distinct,
                  count(*) filter (where event_status <> 'Processed')::int as unprocessed,
                  (select count(*)::int from ff_stage_completion_log) as legacy
           from ff_events where event_id = any($1)`,
          [ids],
        )
      ).rows[0];
    const onboardingAcknowledged = ids.filter((id) => Number(id.split('-')[1]) % 2 === 0).length;
    const final = await waitFor(
      async () => {
        const now = await counts();
        return now.distinct === ids.length && now.unprocessed === 0 ? now : undefined;
      },
      'every acknowledged event to be stored and processed after the restart',
      60_000,
    );
    const total = (await db.query<{ n: number }>('select count(*)::int as n from ff_events'))
      .rows[0].n;
    process.stdout.write(
      `crash: sent ${sent}, acknowledged ${ids.length}, stored ${total} (acknowledged ones ${final.distinct}), ` +
        `duplicated ${final.rows - final.distinct}, lost ${ids.length - final.distinct}\n`,
    );
    expect(final.rows).toBe(ids.length);
    expect(final.distinct).toBe(ids.length);
    expect(final.legacy).toBeGreaterThanOrEqual(onboardingAcknowledged);
    const legacyPerEvent = await db.query<{ n: number }>(
      `select count(*)::int as n from ff_stage_completion_log
       group by log_data->>'eventId' having count(*) > 1`,
    );
    expect(legacyPerEvent.rows).toEqual([]);
    await service.stop('SIGKILL');
    service = undefined;
  }, 180_000);

  it('replays events spooled during an outage when restarted after a kill -9', async () => {
    const root = await mkdtemp(join(tmpdir(), 'flowflex-crash-spool-'));
    let server = await EmbeddedPostgresServer.start({
      dataDir: join(root, 'pg'),
      persistent: true,
    });
    try {
      await server.createDatabaseIfMissing('events');
      const env = {
        DATABASE_URL: server.url('events'),
        DATA_DIR: join(root, 'service'),
        LOG_LEVEL: 'fatal',
      };
      service = await startService(env);
      const port = server.port;
      await server.stop();
      const spooled: string[] = [];
      for (let i = 0; i < 50; i += 1) {
        const response = await fetch(`http://127.0.0.1:${service.port}/api/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            eventId: `spooled-${i}`,
            eventType: 'CustomerNoted',
            aggregateId: i,
            aggregateType: 'Customer',
            eventData: {},
          }),
        });
        expect(response.status).toBe(202);
        spooled.push(`spooled-${i}`);
      }
      await service.stop('SIGKILL');
      server = await EmbeddedPostgresServer.start({
        dataDir: join(root, 'pg'),
        persistent: true,
        port,
      });
      service = await startService(env);
      const client = new (await import('pg')).default.Client({
        connectionString: server.url('events'),
      });
      await client.connect();
      try {
        const { rows } = await client.query<{ rows: number; distinct: number }>(
          `select count(*)::int as rows, count(distinct event_id)::int as distinct
           from ff_events where event_id = any($1)`,
          [spooled],
        );
        // Replayed during start-up, before the service reported itself ready.
        expect(rows[0]).toEqual({ rows: 50, distinct: 50 });
        process.stdout.write(
          `crash with spool: 50 spooled and acknowledged with 202, 50 stored after restart\n`,
        );
      } finally {
        await client.end();
      }
    } finally {
      await service?.stop('SIGKILL');
      service = undefined;
      await server.stop();
      await rm(root, { recursive: true, force: true });
    }
  }, 120_000);
});
