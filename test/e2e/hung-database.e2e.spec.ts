import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type ServiceProcess } from '../support/service-process.js';
import { createStoreDatabase, type StoreDatabase } from '../support/store-database.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait-for.js';

const APPENDERS = 16;
const WRITE_TIMEOUT_MS = 2_000;
const QUERY_TIMEOUT_MS = 3_000;
/** What a request may take while the database hangs: the longest timeout plus a margin. */
const ANSWER_BOUND_MS = 8_000;

interface Answer {
  readonly eventId: string;
  readonly status: number;
  readonly ms: number;
}

/**
 * A network to PostgreSQL that stops passing bytes without closing anything: every request is
 * still answered within a bound (202 from the spool, or 503), nothing acknowledged is lost or
 * stored twice, readiness says the database is down meanwhile, and the service recovers without a
 * restart.
 */
describe('a hung database under load', () => {
  let db: StoreDatabase;
  let proxy: TcpProxy;
  let dataDir: string;
  let service: ServiceProcess;
  const base = () => `http://127.0.0.1:${service.port}`;

  beforeAll(async () => {
    db = await createStoreDatabase();
    const target = new URL(db.url);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    dataDir = await mkdtemp(join(tmpdir(), 'flowflex-hang-'));
    service = await startService({
      DATABASE_URL: proxy.url(db.url),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      EVENTS_WRITE_TIMEOUT_MS: String(WRITE_TIMEOUT_MS),
      DATABASE_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
    });
  });

  afterAll(async () => {
    await service?.stop('SIGKILL');
    await proxy?.stop();
    await db?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
    const started = performance.now();
    const value = await work();
    return { value, ms: performance.now() - started };
  }

  it.each([20, 60])(
    'answers every request within the bound through a %i s hang, and loses nothing',
    async (hangSeconds) => {
      const answers: Answer[] = [];
      let running = true;
      const appender = async () => {
        while (running) {
          const eventId = randomUUID();
          const { value: status, ms } = await timed(async () => {
            const response = await fetch(`${base()}/api/events`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                eventId,
                eventType: 'Noted',
                aggregateId: 1,
                aggregateType: 'Note',
                eventData: { n: answers.length },
              }),
            });
            await response.arrayBuffer();
            return response.status;
          });
          answers.push({ eventId, status, ms });
        }
      };
      const appenders = Array.from({ length: APPENDERS }, appender);

      await new Promise((resolve) => setTimeout(resolve, 2_000));
      proxy.setMode('hang');
      const hangStarted = answers.length;
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      const health = await timed(() => fetch(`${base()}/health`).then((r) => r.status));
      const read = await timed(() =>
        fetch(`${base()}/api/events?pageSize=1`).then((r) => r.status),
      );
      await new Promise((resolve) => setTimeout(resolve, hangSeconds * 1_000 - 5_000));
      const duringHang = answers.length - hangStarted;
      proxy.setMode('pass');
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      running = false;
      await Promise.all(appenders);

      const acknowledged = answers.filter((a) => a.status === 201 || a.status === 202);
      const stored = await waitFor(
        async () => {
          const { rows } = await db.query<{ rows: string; distinct: string }>(
            `select count(*) as rows, count(distinct event_id) as distinct
             from ff_events where event_id = any($1)`,
            [acknowledged.map((a) => a.eventId)],
          );
          return Number(rows[0].distinct) === acknowledged.length ? rows[0] : undefined;
        },
        'every acknowledged event to be stored',
        60_000,
      );
      const longest = Math.max(...answers.map((a) => a.ms));
      const statuses = Object.fromEntries(
        [...new Set(answers.map((a) => a.status))].map((s) => [
          s,
          answers.filter((a) => a.status === s).length,
        ]),
      );
      process.stdout.write(
        `hung database ${hangSeconds} s: ${answers.length} requests (${duringHang} during the hang), ` +
          `statuses ${JSON.stringify(statuses)}, longest answer ${Math.round(longest)} ms, ` +
          `readiness ${health.value} in ${Math.round(health.ms)} ms, read ${read.value} in ` +
          `${Math.round(read.ms)} ms, acknowledged ${acknowledged.length}, stored ${stored.distinct}, ` +
          `stored twice ${Number(stored.rows) - Number(stored.distinct)}\n`,
      );

      expect(duringHang).toBeGreaterThan(APPENDERS * 2);
      expect(longest).toBeLessThan(ANSWER_BOUND_MS);
      expect(
        answers.filter((a) => a.status !== 201 && a.status !== 202 && a.status !== 503),
      ).toEqual([]);
      expect(health.value).toBe(503);
      expect(health.ms).toBeLessThan(ANSWER_BOUND_MS);
      expect(read.value).toBe(503);
      expect(read.ms).toBeLessThan(ANSWER_BOUND_MS);
      expect(Number(stored.rows)).toBe(acknowledged.length);
      // Recovered without a restart: readiness and a fresh write are fine again.
      await waitFor(
        async () => ((await fetch(`${base()}/health`)).status === 200 ? true : undefined),
        'readiness to recover',
      );
      const after = await fetch(`${base()}/api/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          eventType: 'Noted',
          aggregateId: 1,
          aggregateType: 'Note',
          eventData: {},
        }),
      });
      expect(after.status).toBe(201);
    },
    180_000,
  );
});
