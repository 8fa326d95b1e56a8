import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, hostname, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openBenchDatabase } from './lib/bench-database.js';
import { httpIngest } from './lib/http-ingest.js';
import { consoleTiming } from './lib/console-timing.js';
import { measureRoutes } from './lib/queries.js';
import { rawBaseline } from './lib/raw-baseline.js';
import { rawScan } from './lib/raw-scan.js';
import {
  SEED_ORDERS,
  recordSeededHistory,
  seedDueFailures,
  seededHistory,
  seedExpired,
  seedHistory,
  tableState,
  type SeedOrder,
  type TableState,
} from './lib/seed.js';
import { startService } from './lib/service.js';
import { round } from './lib/stats.js';
import { runWorker } from './lib/worker.js';

/**
 * npm run bench: every figure of the throughput issue in one run, on a fresh database (the one
 * BENCH_DATABASE_URL or --database-url points at, whose user may create databases, or an
 * embedded server). Prints a table and writes bench/results/latest.json. --quick runs a tiny
 * scale in seconds (the tests use it); it proves the bench works, not the numbers.
 */
const { values: options } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    'http-seconds': { type: 'string', default: '10' },
    'http-connections': { type: 'string', default: '64' },
    'http-rounds': { type: 'string', default: '2' },
    'batch-size': { type: 'string', default: '100' },
    only: { type: 'string', default: 'all' },
    'query-events': { type: 'string', default: '1000000' },
    'query-samples': { type: 'string', default: '200' },
    'seed-order': { type: 'string', default: 'arrival' },
    'retry-events': { type: 'string', default: '10000' },
    'retention-rows': { type: 'string', default: '500000' },
    'database-url': { type: 'string', default: process.env.BENCH_DATABASE_URL },
    output: { type: 'string' },
    quick: { type: 'boolean', default: false },
    keep: { type: 'string' },
  },
});
const quick = options.quick;
// A quick run proves the bench works; its toy figures never replace the committed results.
const output = options.output ?? (quick ? join(tmpdir(), 'flowflex-bench-quick') : 'bench/results');
const scale = {
  events: quick ? 300 : Number(options.events),
  httpSeconds: quick ? 1 : Number(options['http-seconds']),
  httpConnections: quick ? 4 : Number(options['http-connections']),
  httpRounds: quick ? 1 : Number(options['http-rounds']),
  batchSize: quick ? 10 : Number(options['batch-size']),
  queryEvents: quick ? 3_000 : Number(options['query-events']),
  querySamples: quick ? 3 : Number(options['query-samples']),
  seedOrder: options['seed-order'] as SeedOrder,
  retryEvents: quick ? 200 : Number(options['retry-events']),
  retentionRows: quick ? 2_000 : Number(options['retention-rows']),
  liveRate: quick ? 200 : 2_000,
  liveSeconds: quick ? 2 : 10,
};
const log = (message: string) => process.stderr.write(`${message}\n`);

if (!['all', 'queries', 'seed'].includes(options.only)) {
  throw new Error('--only takes all, queries or seed');
}
if (options.keep !== undefined && options.only === 'all') {
  throw new Error('--keep goes with --only queries or --only seed: ingest runs need empty tables');
}
if (options.keep === undefined && options.only === 'seed') {
  throw new Error('--only seed goes with --keep: a seed not kept is dropped at once');
}
if (!SEED_ORDERS.includes(scale.seedOrder)) {
  throw new Error(`--seed-order takes ${SEED_ORDERS.join(' or ')}`);
}
// --keep NAME: the query history lives in the database NAME, seeded by the first run that needs
// it and kept for the next (--only seed seeds it and stops).
const db = await openBenchDatabase(options['database-url'], options.keep);
const perSecond = (count: number, ms: number) => round((count / ms) * 1000, 0);
try {
  log(`bench on ${db.server}: ${JSON.stringify(scale)}`);
  const ingestSide = options.only === 'all' ? await ingestScenarios() : undefined;

  const seeded = options.keep !== undefined ? await seededHistory(db) : undefined;
  if (seeded && (seeded.rows !== scale.queryEvents || seeded.order !== scale.seedOrder)) {
    throw new Error(`${db.url} holds another history: ${JSON.stringify(seeded)}`);
  }
  if (seeded) {
    log(`queries: the history kept from ${seeded.seededAt}, not seeded again`);
  } else {
    log(
      `queries: seeding ${scale.queryEvents} events (10 tenants, 50 types, 90 days, in ${scale.seedOrder} order)`,
    );
  }
  const table = seeded
    ? await tableState(db)
    : await seedHistory(db, scale.queryEvents, log, scale.seedOrder);
  if (options.keep !== undefined && !seeded) {
    await recordSeededHistory(db, scale.queryEvents, scale.seedOrder);
  }
  if (options.only === 'seed') log(`seeded and kept: ${db.url}`);
  else await queryScenarios(ingestSide, table, seeded?.seededAt);
} finally {
  await db.close();
}

/** Everything but the query scenarios: ingest (bus, HTTP, batch), sweeps, live stream. */
async function ingestScenarios() {
  log('raw baseline: multi-row INSERT of 500 rows with node-postgres');
  const raw = await rawBaseline(db.url, scale.events);
  await db.reset();
  log(`raw baseline: multi-row INSERT of ${scale.batchSize} rows with node-postgres`);
  const rawBatch = await rawBaseline(db.url, scale.events, scale.batchSize);
  await db.reset();

  log(`bus ingest: ${scale.events} events on the EventBus until both tables hold them`);
  type BusResult = { events: number; processed: number; ms: number; maxRssMb: number };
  const bus = await runWorker<BusResult>('bus-ingest.worker', {
    url: db.url,
    events: scale.events,
    retention: false,
    offset: 0,
  });
  await db.reset();

  log(
    `HTTP ingest: POST /api/events and a bare node:http server alternated, ${scale.httpRounds} rounds of ${scale.httpSeconds} s, ${scale.httpConnections} connections; then POST /api/events/batch of ${scale.batchSize}`,
  );
  const http = await httpIngest(
    db.url,
    {
      seconds: scale.httpSeconds,
      connections: scale.httpConnections,
      rounds: scale.httpRounds,
      batchSize: scale.batchSize,
    },
    async () => {
      const [{ n }] = await db.query<{ n: number }>('select count(*)::int as n from ff_events');
      return n;
    },
  );
  await db.reset();

  log(`retry sweep: ${scale.retryEvents} due failures`);
  await seedDueFailures(db, scale.retryEvents);
  type SweepResult = { rows: number; ms: number };
  const retry = await runWorker<SweepResult>('sweep.worker', {
    url: db.url,
    sweep: 'retry',
  });
  await db.reset();

  log(`retention sweep: ${scale.retentionRows} expired rows`);
  await seedExpired(db, scale.retentionRows);
  const retention = await runWorker<SweepResult>('sweep.worker', {
    url: db.url,
    sweep: 'retention',
  });
  await db.reset();

  log('bus ingest with 3 subscriptions and 50 SSE clients following the stream');
  const busWithStream = await runWorker<BusResult>('bus-ingest.worker', {
    url: db.url,
    events: scale.events,
    retention: false,
    offset: scale.events * 2,
    streamLoad: true,
  });
  await db.reset();

  log(
    `live stream: ${scale.liveRate} events/s for ${scale.liveSeconds} s, commit to handler and to SSE`,
  );
  type Latency = { received: number; p50Ms: number; p99Ms: number };
  const live = await runWorker<{ events: number; handler: Latency; sse: Latency }>(
    'stream.worker',
    { url: db.url, mode: 'live', ratePerSecond: scale.liveRate, seconds: scale.liveSeconds },
  );
  await db.reset();

  log('bus ingest while the retention sweep runs');
  await seedExpired(db, scale.retentionRows);
  const busDuringRetention = await runWorker<BusResult & { retention?: { softDeleted: number } }>(
    'bus-ingest.worker',
    { url: db.url, events: scale.events, retention: true, offset: scale.events },
  );
  await db.reset();

  const rawPerSecond = perSecond(raw.rows, raw.ms);
  const busPerSecond = perSecond(bus.events, bus.ms);
  const busDuringRetentionPerSecond = perSecond(busDuringRetention.events, busDuringRetention.ms);
  const rawBatchPerSecond = perSecond(rawBatch.rows, rawBatch.ms);
  const results = {
    ingest: {
      rawBaseline: { rows: raw.rows, perSecond: rawPerSecond },
      bus: {
        events: bus.events,
        processedWhenCounted: bus.processed,
        perSecond: busPerSecond,
        ratioToRaw: round(busPerSecond / rawPerSecond, 2),
        peakRssMb: round(bus.maxRssMb, 0),
      },
      http: {
        service: { ...http.service, perSecond: round(http.service.perSecond, 0) },
        bare: { ...http.bare, perSecond: round(http.bare.perSecond, 0) },
        ratioToBare: round(http.service.perSecond / http.bare.perSecond, 2),
        acknowledged: http.acknowledged,
        stored: http.stored,
      },
      batch: {
        ...http.batch,
        perSecond: round(http.batch.perSecond, 0),
        rawBaseline: { rowsPerStatement: scale.batchSize, perSecond: rawBatchPerSecond },
        ratioToRaw: round(http.batch.perSecond / rawBatchPerSecond, 2),
      },
    },
    sweeps: {
      retry: { events: retry.rows, perSecond: perSecond(retry.rows, retry.ms) },
      retention: { rows: retention.rows, perSecond: perSecond(retention.rows, retention.ms) },
      busDuringRetention: {
        perSecond: busDuringRetentionPerSecond,
        ratioToBusAlone: round(busDuringRetentionPerSecond / busPerSecond, 2),
        rowsSoftDeletedMeanwhile: busDuringRetention.retention?.softDeleted ?? 0,
      },
    },
    stream: {
      live: {
        ratePerSecond: scale.liveRate,
        events: live.events,
        handler: {
          ...live.handler,
          p50Ms: round(live.handler.p50Ms, 1),
          p99Ms: round(live.handler.p99Ms, 1),
        },
        sse: { ...live.sse, p50Ms: round(live.sse.p50Ms, 1), p99Ms: round(live.sse.p99Ms, 1) },
      },
      ingestWithFollowers: {
        perSecond: perSecond(busWithStream.events, busWithStream.ms),
        ratioToBusAlone: round(perSecond(busWithStream.events, busWithStream.ms) / busPerSecond, 2),
      },
    },
    peakRssMb: round(
      Math.max(
        bus.maxRssMb,
        busDuringRetention.maxRssMb,
        http.service.maxRssMb,
        http.batch.maxRssMb,
        busWithStream.maxRssMb,
      ),
      0,
    ),
  };

  const table = [
    ['raw baseline INSERT (rows/s)', String(rawPerSecond)],
    [
      'bus ingest (events/s, both tables)',
      `${busPerSecond} (${results.ingest.bus.ratioToRaw} of raw)`,
    ],
    [
      'HTTP POST /api/events (events/s)',
      `${results.ingest.http.service.perSecond} (${results.ingest.http.ratioToBare} of bare), p50 ${http.service.p50Ms} ms, p99 ${http.service.p99Ms} ms`,
    ],
    [
      'bare node:http + pg, one INSERT per request (events/s)',
      `${results.ingest.http.bare.perSecond}, p50 ${http.bare.p50Ms} ms, p99 ${http.bare.p99Ms} ms`,
    ],
    [
      `HTTP POST /api/events/batch of ${scale.batchSize} (events/s)`,
      `${results.ingest.batch.perSecond} (${results.ingest.batch.ratioToRaw} of raw ${scale.batchSize}-row INSERT, ${rawBatchPerSecond}/s)`,
    ],
    ['retry sweep (events/s)', String(results.sweeps.retry.perSecond)],
    ['retention soft delete (rows/s)', String(results.sweeps.retention.perSecond)],
    [
      'bus ingest during retention (events/s)',
      `${busDuringRetentionPerSecond} (${results.sweeps.busDuringRetention.ratioToBusAlone} of alone)`,
    ],
    [
      `live stream at ${scale.liveRate}/s, commit to handler`,
      `p50 ${results.stream.live.handler.p50Ms} ms, p99 ${results.stream.live.handler.p99Ms} ms`,
    ],
    [
      `live stream at ${scale.liveRate}/s, commit to SSE client`,
      `p50 ${results.stream.live.sse.p50Ms} ms, p99 ${results.stream.live.sse.p99Ms} ms`,
    ],
    [
      'bus ingest with 3 subscriptions + 50 SSE clients',
      `${results.stream.ingestWithFollowers.perSecond} (${results.stream.ingestWithFollowers.ratioToBusAlone} of alone)`,
    ],
    ['peak RSS of the service (MB)', String(results.peakRssMb)],
  ];
  return { results, table };
}

/** The routes' latencies over the seeded history, the console, and the stream's catch-up. */
async function queryScenarios(
  ingestSide: Awaited<ReturnType<typeof ingestScenarios>> | undefined,
  table: TableState,
  keptFrom: string | undefined,
) {
  // The sweeps stay idle while latencies are measured: the history holds due failures.
  const service = await startService({
    DATABASE_URL: db.url,
    EVENTS_RETRY_SWEEP_INTERVAL_MS: '3600000',
    EVENTS_RETENTION_SWEEP_INTERVAL_MS: '3600000',
  });
  let routes;
  let consoleLoad;
  try {
    routes = await measureRoutes(service.url, scale.querySamples, scale.queryEvents);
    log('console: the overview in a fresh headless Chromium');
    consoleLoad = await consoleTiming(service.url, 'tenant-0');
  } finally {
    await service.stop();
  }
  const tableAfterQueries = await tableState(db);

  log(`stream catch-up over the ${scale.queryEvents} events, and a raw scan of them by id`);
  const scan = await rawScan(db.url, 1_000);
  const catchUp = await runWorker<{ events: number; ms: number }>('stream.worker', {
    url: db.url,
    mode: 'catch-up',
    events: scale.queryEvents,
  });

  const queries = routes.map((route) => ({
    ...route,
    p50Ms: round(route.p50Ms, 1),
    p99Ms: round(route.p99Ms, 1),
  }));
  const results = {
    ranAt: new Date().toISOString(),
    command: `npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: {
      host: hostname(),
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGb: round(totalmem() / 2 ** 30, 1),
      node: process.version,
      database: db.server,
    },
    scale,
    ...ingestSide?.results,
    queries,
    console: consoleLoad,
    // Not vacuumed after the seed: what autovacuum had done when the routes were read.
    queryTable: {
      keptFrom,
      afterSeed: table,
      afterQueries: tableAfterQueries,
    },
    stream: {
      ...ingestSide?.results.stream,
      catchUp: {
        events: catchUp.events,
        perSecond: perSecond(catchUp.events, catchUp.ms),
        rawScanPerSecond: perSecond(scan.rows, scan.ms),
        ratioToRawScan: round(
          perSecond(catchUp.events, catchUp.ms) / perSecond(scan.rows, scan.ms),
          2,
        ),
      },
    },
  };

  const rows = [
    ['figure', 'value'],
    ...(ingestSide?.table ?? []),
    [
      'stream catch-up (events/s)',
      `${results.stream.catchUp.perSecond} (${results.stream.catchUp.ratioToRawScan} of a raw scan by id)`,
    ],
    [
      `query table: pages all-visible after seed / after reads`,
      `${table.allVisiblePercent}% / ${tableAfterQueries.allVisiblePercent}% (autovacuum runs: ${tableAfterQueries.autovacuumCount})`,
    ],
    [
      'console overview, cold load to data on screen',
      `${consoleLoad.overviewReadyMs} ms (DOM interactive ${consoleLoad.domInteractiveMs} ms, ${Math.round(consoleLoad.firstLoadBytes / 1024)} KB transferred)`,
    ],
    ...queries.map((q) => [
      `GET ${q.route}`,
      `p50 ${q.p50Ms} ms, p99 ${q.p99Ms} ms (${q.found} found)${q.failures ? `; ${q.failures} failed: ${q.firstFailure}` : ''}`,
    ]),
  ];
  const width = Math.max(...rows.map(([figure]) => figure.length));
  process.stdout.write(
    `${rows.map(([figure, value]) => `${figure.padEnd(width)}  ${value}`).join('\n')}\n`,
  );

  await mkdir(output, { recursive: true });
  await writeFile(join(output, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${join(output, 'latest.json')}`);
}
