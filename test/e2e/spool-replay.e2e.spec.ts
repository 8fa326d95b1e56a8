import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OnboardingStageCompletedEvent } from '../../src/onboarding/onboarding-stage-completed.event.js';
import { onboardingStageCompletedMapping } from '../../src/onboarding/onboarding-stage-completed.mapping.js';
import { sample } from '../support/prometheus.js';
import { seedEvents } from '../support/seed-events.js';
import { startService, type ServiceProcess } from '../support/service-process.js';
import { createStoreDatabase, type StoreDatabase } from '../support/store-database.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait-for.js';

/** A spool line exactly as the service writes one for a stage-completed event. */
function spoolLine(eventId: string = randomUUID(), tenantId = 'acme', padding = 0): string {
  const event = new OnboardingStageCompletedEvent({
    eventId,
    tenantId,
    onboardingId: 7,
    leadId: 'lead',
    workflowId: 1,
    workflowName: 'Standard',
    completedStageId: 2,
    completedStageName: 'KYC',
    stageCategory: 'Compliance',
    completionRate: 50,
    isFinalStage: false,
    responsibleTeam: 'Ops',
    assigneeName: 'Ana',
    source: 'Workflow',
    businessContext: padding > 0 ? { padding: 'p'.repeat(padding) } : {},
  });
  const envelope = onboardingStageCompletedMapping.toEnvelope(event);
  return `${JSON.stringify({ envelope, handlers: ['legacy-stage-log'] })}\n`;
}

describe('outage spool replay', () => {
  let db: StoreDatabase;
  let dataDir: string;
  let service: ServiceProcess | undefined;

  const legacyCount = async (ids: string[]) =>
    Number(
      (
        await db.query<{ n: string }>(
          `select count(*) as n from ff_stage_completion_log where log_data->>'eventId' = any($1)`,
          [ids],
        )
      ).rows[0].n,
    );

  beforeEach(async () => {
    db = await createStoreDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'flowflex-spool-'));
    await mkdir(join(dataDir, 'spool'));
  });

  afterEach(async () => {
    await service?.stop('SIGKILL');
    service = undefined;
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('replays past a torn last line, a corrupt record and a foreign id, moving those to the dead-letter file', async () => {
    const good = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await seedEvents(db, [{ eventId: 'held-by-globex', tenantId: 'globex' }]);
    const torn = spoolLine(randomUUID()).slice(0, 120);
    await writeFile(
      join(dataDir, 'spool', 'spool.jsonl'),
      spoolLine(good[0]) +
        spoolLine(good[1]) +
        '{"envelope":{"eventId":"corrupt-1","eventType":\n' +
        spoolLine('held-by-globex', 'acme') +
        spoolLine(good[2]) +
        spoolLine(good[3]) +
        torn,
    );

    service = await startService({ DATABASE_URL: db.url, DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    await waitFor(
      async () => ((await legacyCount(good)) === good.length ? true : undefined),
      'every readable spooled event to be stored and processed',
    );

    const { rows } = await db.query<{ event_id: string; tenant_id: string; process_count: number }>(
      'select event_id, tenant_id, process_count from ff_events order by event_id',
    );
    expect(rows).toEqual(
      [
        ...good.map((id) => ({ event_id: id, tenant_id: 'acme', process_count: 1 })),
        { event_id: 'held-by-globex', tenant_id: 'globex', process_count: 1 },
      ].sort((a, b) => a.event_id.localeCompare(b.event_id)),
    );
    const deadLetters = (await readFile(join(dataDir, 'spool', 'dead-letter.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { reason: string; eventId?: string; record: string });
    expect(deadLetters.map(({ reason, eventId }) => ({ reason, eventId }))).toEqual(
      expect.arrayContaining([
        { reason: 'unreadable', eventId: 'corrupt-1' },
        { reason: 'foreign_event_id', eventId: 'held-by-globex' },
        { reason: 'unreadable', eventId: expect.any(String) },
      ]),
    );
    expect(deadLetters).toHaveLength(3);
    expect(deadLetters.map((d) => d.record)).toContain(torn);

    const metrics = await (await fetch(`http://127.0.0.1:${service.port}/metrics`)).text();
    expect(sample(metrics, 'flowflex_spool_dead_letters_total', { reason: 'unreadable' })).toBe(2);
    expect(
      sample(metrics, 'flowflex_spool_dead_letters_total', { reason: 'foreign_event_id' }),
    ).toBe(1);
    expect(sample(metrics, 'flowflex_spool_events')).toBe(0);
    expect((await readdir(join(dataDir, 'spool'))).sort()).toEqual(['dead-letter.jsonl']);
    expect(service.output()).toMatch(
      /"eventId":"held-by-globex".*spooled event moved to the dead-letter file/,
    );
  });

  it('replays a spool at EVENTS_SPOOL_MAX_BYTES within a heap of the same size', async () => {
    const limit = 96 * 1024 * 1024;
    const file = await open(join(dataDir, 'spool', 'spool.jsonl'), 'w');
    let bytes = 0;
    let events = 0;
    for (;;) {
      const chunk = Array.from({ length: 200 }, () => spoolLine(randomUUID(), 'acme', 8_000)).join(
        '',
      );
      if (bytes + Buffer.byteLength(chunk) > limit) break;
      await file.write(chunk);
      bytes += Buffer.byteLength(chunk);
      events += 200;
    }
    await file.close();

    service = await startService(
      {
        DATABASE_URL: db.url,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        EVENTS_SPOOL_MAX_BYTES: String(limit),
      },
      180_000,
      { nodeArgs: ['--max-old-space-size=96'] },
    );
    const processed = async () =>
      Number(
        (await db.query<{ n: string }>('select count(*) as n from ff_stage_completion_log')).rows[0]
          .n,
      );
    await waitFor(
      async () => ((await processed()) === events ? true : undefined),
      'every spooled event stored and processed',
      120_000,
    );
    expect(service.child.exitCode).toBeNull();
    process.stdout.write(
      `spool at its limit: ${events} events, ${bytes} bytes, replayed under a ${limit / 2 ** 20} MB heap\n`,
    );
  }, 240_000);

  it('processes a stage-completed event spooled while PostgreSQL is down within seconds of its return, using no retry', async () => {
    const proxy = await TcpProxy.start({
      host: new URL(db.url).hostname,
      port: Number(new URL(db.url).port || 5432),
    });
    try {
      service = await startService({
        DATABASE_URL: proxy.url(db.url),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        EVENTS_MAX_RETRY_COUNT: '0',
      });
      proxy.setMode('refuse');
      const response = await fetch(
        `http://127.0.0.1:${service.port}/api/onboarding/stage-completed`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            onboardingId: 7,
            leadId: 'lead',
            workflowId: 1,
            workflowName: 'Standard',
            completedStageId: 2,
            completedStageName: 'KYC',
            stageCategory: 'Compliance',
            completionRate: 50,
            isFinalStage: false,
            responsibleTeam: 'Ops',
            assigneeName: 'Ana',
            source: 'Workflow',
          }),
        },
      );
      expect(response.status).toBe(202);
      const { eventId } = (await response.json()) as { eventId: string };
      await waitFor(
        () => Promise.resolve(/event spooled/.test(service!.output()) ? true : undefined),
        'the event to be logged as spooled',
      );

      proxy.setMode('pass');
      const back = Date.now();
      // The legacy row is written by the handler; the outcome is recorded after it, group
      // committed, so the test waits for the outcome rather than reading it the moment the
      // legacy row appears.
      const processed = async () => {
        const { rows } = await db.query<{
          event_status: string;
          process_count: number;
          event_metadata: { handlers: Record<string, { attempts: number }> };
        }>(
          'select event_status, process_count, event_metadata from ff_events where event_id = $1',
          [eventId],
        );
        return rows[0]?.event_status === 'Processed' ? rows[0] : undefined;
      };
      const row = await waitFor(processed, 'the event to be recorded as processed', 15_000);
      const seconds = (Date.now() - back) / 1000;
      expect(await legacyCount([eventId])).toBe(1);
      expect(row).toMatchObject({ event_status: 'Processed', process_count: 1 });
      expect(row.event_metadata.handlers['legacy-stage-log'].attempts).toBe(1);
      expect(service.output()).not.toMatch(/abandoned/);
      process.stdout.write(
        `spooled stage-completed event: processed ${seconds.toFixed(1)} s after PostgreSQL was back\n`,
      );
    } finally {
      await service?.stop('SIGKILL');
      service = undefined;
      await proxy.stop();
    }
  });
});
