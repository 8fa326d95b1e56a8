import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus } from '@nestjs/cqrs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { EmbeddedPostgresServer } from '../../src/database/embedded-postgres.server.js';
import { OnboardingStageCompletedEvent } from '../../src/onboarding/onboarding-stage-completed.event.js';
import { startTestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

const OUTAGE_MS = 10_000;

function stageCompleted(index: number) {
  return new OnboardingStageCompletedEvent({
    tenantId: `tenant-${index % 3}`,
    onboardingId: 5_000 + index,
    leadId: `lead-${index}`,
    workflowId: 1,
    workflowName: 'Standard',
    completedStageId: 2,
    completedStageName: 'KYC',
    stageCategory: 'Compliance',
    completionRate: 40,
    isFinalStage: false,
    responsibleTeam: 'Ops',
    assigneeName: 'Ana',
    source: 'Workflow',
  });
}

/**
 * Publishers keep publishing on the EventBus while the PostgreSQL this test started (never the
 * machine's shared one) is stopped for ten seconds and started again.
 */
describe('a ten-second PostgreSQL outage under load', () => {
  let root: string;
  let server: EmbeddedPostgresServer;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'flowflex-outage-'));
    server = await EmbeddedPostgresServer.start({ dataDir: join(root, 'pg'), persistent: true });
    await server.createDatabaseIfMissing('events');
    app = await startTestApp(server.url('events'), {
      LOG_LEVEL: 'fatal',
      DATA_DIR: join(root, 'service'),
      EVENTS_RETRY_SWEEP_INTERVAL_MS: '500',
      EVENTS_HANDLER_TIMEOUT_MS: '1000',
      EVENTS_STUCK_TIMEOUT_MS: '3000',
    });
  });

  afterAll(async () => {
    await app?.close();
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('stores every published event exactly once, and the legacy log catches up', async () => {
    const bus = app.get(EventBus);
    const published: string[] = [];
    let publishing = true;
    const publisher = async (offset: number) => {
      for (let i = offset; publishing; i += 3) {
        const event = stageCompleted(i);
        bus.publish(event);
        published.push(event.eventId);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const publishers = [0, 1, 2].map((offset) => publisher(offset));

    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const port = server.port;
    await server.stop();
    const publishedBeforeOutage = published.length;
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    const publishedDuringOutage = published.length - publishedBeforeOutage;
    server = await EmbeddedPostgresServer.start({
      dataDir: join(root, 'pg'),
      persistent: true,
      port,
    });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    publishing = false;
    await Promise.all(publishers);

    const client = new pg.Client({ connectionString: server.url('events') });
    await client.connect();
    try {
      const counts = async () =>
        (
          await client.query<{ rows: number; distinct: number; legacy: number; processed: number }>(
            `select count(*)::int as rows, count(distinct event_id)::int as distinct,
                    count(*) filter (where event_status = 'Processed')::int as processed,
                    (select count(*)::int from ff_stage_completion_log
                      where log_data->>'eventId' = any($1)) as legacy
             from ff_events where event_id = any($1)`,
            [published],
          )
        ).rows[0];
      let last: Awaited<ReturnType<typeof counts>> | undefined;
      const final = await waitFor<Awaited<ReturnType<typeof counts>>>(
        async () => {
          // A handler whose failure was recorded as the database went down is retried 2 minutes
          // later (SPEC §4.5); move those retries to now rather than wait for them.
          await client.query(
            `update ff_events set next_retry_at = now() where event_status = 'Failed'
               and requires_retry and next_retry_at > now()`,
          );
          const now = await counts();
          last = now;
          return now.processed === published.length && now.legacy === published.length
            ? now
            : undefined;
        },
        'every published event to be stored and processed',
        90_000,
      ).catch((error: Error) => {
        throw new Error(
          `${error.message}: ${published.length} published, last ${JSON.stringify(last)}`,
        );
      });
      process.stdout.write(
        `outage: published ${published.length} (${publishedDuringOutage} while PostgreSQL was down), ` +
          `stored ${final.distinct}, duplicated ${final.rows - final.distinct}, ` +
          `lost ${published.length - final.distinct}, legacy rows ${final.legacy}\n`,
      );
      expect(publishedDuringOutage).toBeGreaterThan(100);
      expect(final.rows).toBe(published.length);
      expect(final.distinct).toBe(published.length);
      expect(final.legacy).toBe(published.length);
    } finally {
      await client.end();
    }
  }, 180_000);
});
