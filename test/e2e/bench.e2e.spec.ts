import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

interface Load {
  requests: number;
  ok: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

interface Results {
  machine: Record<string, unknown>;
  scale: { events: number; retryEvents: number; retentionRows: number };
  ingest: {
    rawBaseline: { rows: number; perSecond: number };
    bus: { events: number; processedWhenCounted: number; perSecond: number; ratioToRaw: number };
    http: {
      service: Load;
      bare: Load;
      ratioToBare: number;
      acknowledged: number;
      stored: number;
    };
    batch: Load & { batchSize: number; ratioToRaw: number; rawBaseline: { perSecond: number } };
  };
  sweeps: {
    retry: { events: number; perSecond: number };
    retention: { rows: number; perSecond: number };
    busDuringRetention: {
      perSecond: number;
      ratioToBusAlone: number;
      rowsSoftDeletedMeanwhile: number;
    };
  };
  console: { overviewReadyMs: number; domInteractiveMs: number; firstLoadBytes: number };
  queryTable: { afterSeed: { pages: number; allVisiblePercent: number } };
  queries: {
    route: string;
    samples: number;
    p50Ms: number;
    p99Ms: number;
    found: number;
    failures: number;
  }[];
  stream: {
    catchUp: {
      events: number;
      perSecond: number;
      rawScanPerSecond: number;
      ratioToRawScan: number;
    };
    live: {
      events: number;
      handler: { received: number; p50Ms: number; p99Ms: number };
      sse: { received: number; p50Ms: number; p99Ms: number };
    };
    ingestWithFollowers: { perSecond: number; ratioToBusAlone: number };
  };
  peakRssMb: number;
}

/** Runs bench/run.ts with these arguments on the test server; its output, or why it failed. */
async function bench(args: string[]): Promise<string> {
  const command = [
    '--import',
    '@swc-node/register/esm-register',
    'bench/run.ts',
    ...args,
    '--database-url',
    process.env.FLOWFLEX_TEST_ADMIN_URL!,
  ];
  const { code, text } = await new Promise<{ code: number | null; text: string }>((resolve) => {
    const child = spawn(process.execPath, command, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('close', (exit) => resolve({ code: exit, text }));
  });
  if (code !== 0) throw new Error(`bench exited with ${code}:\n${text}`);
  return text;
}

/** npm run bench at a tiny scale: every scenario runs and every figure is reported. No timings are judged. */
describe('npm run bench --quick', () => {
  let output: string;
  let results: Results;

  beforeAll(async () => {
    output = await mkdtemp(join(tmpdir(), 'flowflex-bench-'));
    await bench(['--quick', '--output', output]);
    results = JSON.parse(await readFile(join(output, 'latest.json'), 'utf8')) as Results;
  }, 300_000);

  afterAll(async () => {
    await rm(output, { recursive: true, force: true });
  });

  it('measures the raw baseline and bus ingest on the same events, both tables counted', () => {
    const { rawBaseline, bus } = results.ingest;
    expect(rawBaseline.rows).toBe(results.scale.events);
    expect(bus.events).toBe(results.scale.events);
    expect(bus.processedWhenCounted).toBeLessThanOrEqual(bus.events);
    expect(rawBaseline.perSecond).toBeGreaterThan(0);
    expect(bus.perSecond).toBeGreaterThan(0);
    expect(bus.ratioToRaw).toBeGreaterThan(0);
  });

  it('measures single and batch HTTP ingest against a bare server in the same run, every acknowledged event stored', () => {
    const { http, batch } = results.ingest;
    for (const load of [http.service, http.bare, batch]) {
      expect(load.ok).toBeGreaterThan(0);
      expect(load.non2xx).toBe(0);
      expect(load.errors).toBe(0);
      expect(load.p99Ms).toBeGreaterThanOrEqual(load.p50Ms);
    }
    expect(http.ratioToBare).toBeGreaterThan(0);
    expect(http.acknowledged).toBe(http.service.ok + http.bare.ok + batch.ok * batch.batchSize);
    expect(http.stored).toBeGreaterThanOrEqual(http.acknowledged);
    expect(batch.rawBaseline.perSecond).toBeGreaterThan(0);
    expect(batch.ratioToRaw).toBeGreaterThan(0);
  });

  it('measures both sweeps on everything seeded, and ingest while retention runs', () => {
    expect(results.sweeps.retry.events).toBe(results.scale.retryEvents);
    expect(results.sweeps.retention.rows).toBe(results.scale.retentionRows);
    expect(results.sweeps.busDuringRetention.rowsSoftDeletedMeanwhile).toBe(
      results.scale.retentionRows,
    );
    expect(results.sweeps.busDuringRetention.ratioToBusAlone).toBeGreaterThan(0);
  });

  it('reports p50 and p99 of every GET route, each finding rows', () => {
    const routes = results.queries.map((query) => query.route);
    expect(routes).toEqual(
      expect.arrayContaining([
        'by type (30 days)',
        'by aggregate',
        'one event',
        'page, tags (rare)',
        'page, data (rare)',
        'statistics (7 days)',
        'statistics (30 days)',
        'statistics (90 days)',
        'page, by cursor (deep)',
        'failed',
      ]),
    );
    for (const query of results.queries) {
      expect(query.p99Ms).toBeGreaterThanOrEqual(query.p50Ms);
      expect(query.samples).toBeGreaterThan(0);
      expect({ route: query.route, failures: query.failures }).toEqual({
        route: query.route,
        failures: 0,
      });
    }
    const found = Object.fromEntries(results.queries.map((query) => [query.route, query.found]));
    expect(found['one event']).toBe(1);
    expect(found['page, tags (rare)']).toBeGreaterThan(0);
    expect(found['page, data (rare)']).toBe(1);
    expect(found['page, by cursor (deep)']).toBeGreaterThan(0);
    // Seeded, analyzed, not vacuumed: the state it is read in is reported.
    expect(results.queryTable.afterSeed.pages).toBeGreaterThan(0);
  });

  it('measures the stream: catch-up against a raw scan, live latency, ingest with followers', () => {
    const { catchUp, live, ingestWithFollowers } = results.stream;
    expect(catchUp.events).toBe(3_000);
    expect(catchUp.ratioToRawScan).toBeGreaterThan(0);
    expect(live.handler.received).toBe(live.events);
    expect(live.sse.received).toBe(live.events);
    expect(live.handler.p99Ms).toBeGreaterThanOrEqual(live.handler.p50Ms);
    expect(ingestWithFollowers.ratioToBusAlone).toBeGreaterThan(0);
  });

  it('times the console overview in a browser and weighs its first load', () => {
    expect(results.console.overviewReadyMs).toBeGreaterThan(0);
    expect(results.console.domInteractiveMs).toBeGreaterThan(0);
    // Pre-compressed assets: the page, its script and stylesheet weigh well under 60 KB.
    expect(results.console.firstLoadBytes).toBeGreaterThan(10_000);
    expect(results.console.firstLoadBytes).toBeLessThan(60 * 1024);
  });

  it('reports the peak RSS and the machine it ran on', () => {
    expect(results.peakRssMb).toBeGreaterThan(0);
    expect(results.machine).toMatchObject({
      cpus: expect.any(Number),
      database: expect.any(String),
    });
  });
});

/** --keep: a history seeded once serves the next runs, and is never taken for another. */
describe('npm run bench --keep', () => {
  const name = `ff_bench_keep_${process.pid}_${Date.now()}`;
  let output: string;

  beforeAll(async () => {
    output = await mkdtemp(join(tmpdir(), 'flowflex-bench-keep-'));
  });

  afterAll(async () => {
    await rm(output, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: process.env.FLOWFLEX_TEST_ADMIN_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  it('seeds the history into the named database and keeps it', async () => {
    const text = await bench(['--quick', '--only', 'seed', '--keep', name]);
    expect(text).toMatch(/seeded 3,000 of 3,000/);
    expect(text).toMatch(`seeded and kept`);
  }, 120_000);

  it('reads a kept history without seeding it again', async () => {
    const text = await bench(['--quick', '--only', 'queries', '--keep', name, '--output', output]);
    expect(text).not.toMatch(/seeded 3,000/);
    const kept = JSON.parse(await readFile(join(output, 'latest.json'), 'utf8')) as {
      queryTable: { keptFrom?: string };
      queries: { route: string; found: number }[];
    };
    expect(kept.queryTable.keptFrom).toEqual(expect.any(String));
    const found = Object.fromEntries(kept.queries.map((query) => [query.route, query.found]));
    expect(found['one event']).toBe(1);
  }, 300_000);

  it('reads it again, the stream catch-up included, as often as asked', async () => {
    await bench(['--quick', '--only', 'queries', '--keep', name, '--output', output]);
    const again = JSON.parse(await readFile(join(output, 'latest.json'), 'utf8')) as {
      stream: { catchUp: { events: number } };
    };
    expect(again.stream.catchUp.events).toBeGreaterThanOrEqual(3_000);
  }, 300_000);

  it('refuses a database that holds no history of its own', async () => {
    const admin = new pg.Client({ connectionString: process.env.FLOWFLEX_TEST_ADMIN_URL });
    await admin.connect();
    await admin.query(`create database ${name}_other`);
    try {
      await expect(bench(['--quick', '--only', 'seed', '--keep', `${name}_other`])).rejects.toThrow(
        /holds no bench history/,
      );
    } finally {
      await admin.query(`drop database ${name}_other with (force)`);
      await admin.end();
    }
  }, 120_000);

  it('refuses a kept history of another order', async () => {
    await expect(
      bench(['--quick', '--only', 'seed', '--keep', name, '--seed-order', 'scattered']),
    ).rejects.toThrow(/holds another history/);
  }, 120_000);
});
