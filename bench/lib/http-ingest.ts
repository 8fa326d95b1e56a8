import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { freePort } from '../../src/common/free-port.js';
import { startService } from './service.js';
import { nodeArgs } from './worker.js';

export interface LoadResult {
  readonly requests: number;
  /** Requests answered 2xx: acknowledged. */
  readonly ok: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
}

export interface HttpIngestResult {
  /** POST /api/events, one event per request. */
  readonly service: LoadResult & { readonly maxRssMb: number };
  /** The hand-written node:http + node-postgres server under the same load. */
  readonly bare: LoadResult;
  /** POST /api/events/batch, `batchSize` events per request; perSecond counts events. */
  readonly batch: LoadResult & { readonly batchSize: number; readonly maxRssMb: number };
  /** Rows in ff_events after all rounds: every acknowledged event is there. */
  readonly stored: number;
  readonly acknowledged: number;
}

/** A realistic single event of about 1 KB; no eventId, so every request appends a new one. */
export const INGEST_EVENT = {
  eventType: 'CustomerNoted',
  aggregateId: 4242,
  aggregateType: 'Customer',
  eventSource: 'Api',
  eventData: {
    customerId: 4242,
    note: 'Called back about the onboarding documents; all received.',
    context: { region: 'EU', channel: 'phone', notes: 'x'.repeat(600) },
  },
  eventTags: ['crm', 'callback'],
  eventDescription: 'Customer called back',
};

async function load(
  url: string,
  body: string,
  connections: number,
  seconds: number,
  eventsPerRequest = 1,
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant-id': 'bench' },
    body,
    connections,
    duration: seconds,
  });
  return {
    requests: result.requests.total,
    ok: result['2xx'],
    perSecond: (result['2xx'] * eventsPerRequest) / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

function merge(rounds: LoadResult[]): LoadResult {
  const sum = (pick: (r: LoadResult) => number) => rounds.reduce((s, r) => s + pick(r), 0);
  return {
    requests: sum((r) => r.requests),
    ok: sum((r) => r.ok),
    perSecond: sum((r) => r.perSecond) / rounds.length,
    p50Ms: Math.max(...rounds.map((r) => r.p50Ms)),
    p99Ms: Math.max(...rounds.map((r) => r.p99Ms)),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
  };
}

async function startBareServer(databaseUrl: string) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...nodeArgs('bench/workers/bare-server.worker'), JSON.stringify({ url: databaseUrl, port })],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('LISTENING')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('close', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Single appends against the service and against the bare server, alternated round by round
 * with the same load (the machine is shared: alternation spreads its noise over both), then the
 * batch route. Both servers run while measured alone: only one is loaded at a time.
 */
export async function httpIngest(
  databaseUrl: string,
  {
    seconds,
    connections,
    rounds,
    batchSize,
  }: {
    seconds: number;
    connections: number;
    rounds: number;
    batchSize: number;
  },
  countStored: () => Promise<number>,
): Promise<HttpIngestResult> {
  const service = await startService({ DATABASE_URL: databaseUrl });
  const bare = await startBareServer(databaseUrl);
  try {
    const single = JSON.stringify(INGEST_EVENT);
    const serviceRounds: LoadResult[] = [];
    const bareRounds: LoadResult[] = [];
    for (let round = 0; round < rounds; round += 1) {
      serviceRounds.push(await load(`${service.url}/api/events`, single, connections, seconds));
      bareRounds.push(await load(bare.url, single, connections, seconds));
    }
    const batchBody = JSON.stringify({
      events: Array.from({ length: batchSize }, () => INGEST_EVENT),
    });
    // Fewer connections: each request carries batchSize events.
    const batch = await load(
      `${service.url}/api/events/batch`,
      batchBody,
      Math.max(2, Math.ceil(connections / 8)),
      seconds,
      batchSize,
    );
    const serviceResult = merge(serviceRounds);
    const bareResult = merge(bareRounds);
    const acknowledged = serviceResult.ok + bareResult.ok + batch.ok * batchSize;
    const maxRssMb = await service.peakRssMb();
    return {
      service: { ...serviceResult, maxRssMb },
      bare: bareResult,
      batch: { ...batch, batchSize, maxRssMb },
      stored: await countStored(),
      acknowledged,
    };
  } finally {
    await bare.stop();
    await service.stop();
  }
}
