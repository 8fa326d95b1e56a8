import 'reflect-metadata';
import { EventBus } from '@nestjs/cqrs';
import pg from 'pg';
import { createApp } from '../../src/bootstrap.js';
import { AppConfig } from '../../src/config/app-config.js';
import { EventPipeline } from '../../src/event-store/processing/event.pipeline.js';
import { RetentionSweeper } from '../../src/event-store/sweeps/retention.sweeper.js';
import { stageCompleted } from '../lib/events.js';
import { benchSubscriptions } from '../lib/noop-subscriptions.js';

/**
 * One bus-ingest measurement in a process of its own, so that its peak RSS is the service's:
 * publishes N events on the EventBus as another module would (yielding to I/O every 500), and
 * times until both tables hold all N, counted in SQL. With `retention`, a retention sweep runs
 * at the same time.
 */
interface Args {
  url: string;
  events: number;
  retention: boolean;
  offset: number;
  /** Three subscriptions and fifty SSE clients follow the stream while events are ingested. */
  streamLoad?: boolean;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const app = await createApp(
  AppConfig.fromEnv({
    DATABASE_URL: args.url,
    LOG_LEVEL: 'warn',
    EVENTS_RETRY_SWEEP_INTERVAL_MS: '3600000',
    EVENTS_RETENTION_SWEEP_INTERVAL_MS: '3600000',
    EVENTS_RETENTION_DAYS: '30',
  }),
  {
    imports: args.streamLoad
      ? [
          benchSubscriptions(
            [1, 2, 3].map((n) => ({ name: `bench-follower-${n}`, from: 'now', batchSize: 500 })),
          ),
        ]
      : [],
  },
);
await app.listen(0, '127.0.0.1');
const streams: AbortController[] = [];
if (args.streamLoad) {
  const port = (app.getHttpServer().address() as { port: number }).port;
  for (let i = 0; i < 50; i += 1) {
    const abort = new AbortController();
    // Each client reads its stream to the end, as a browser would; the tenant spreads them.
    const response = await fetch(`http://127.0.0.1:${port}/api/events/stream?from=now`, {
      headers: { 'x-tenant-id': `tenant-${i % 10}` },
      signal: abort.signal,
    });
    void (async () => {
      try {
        for await (const chunk of response.body!) void chunk;
      } catch {
        // aborted at the end
      }
    })();
    streams.push(abort);
  }
}
const bus = app.get(EventBus);
const pipeline = app.get(EventPipeline);
const counter = new pg.Client({ connectionString: args.url });
await counter.connect();
const since = new Date(Date.now() - 1_000);
// Cheap to poll: the time index finds this run's events (the retention rows are months older),
// and the legacy table holds nothing else.
const countBoth = async () =>
  (
    await counter.query<{ events: number; legacy: number }>(
      `select (select count(*)::int from ff_events where is_valid and event_timestamp >= $1) as events,
              (select count(*)::int from ff_stage_completion_log) as legacy`,
      [since],
    )
  ).rows[0];

const retention = args.retention ? app.get(RetentionSweeper).run() : undefined;
const started = performance.now();
for (let i = 0; i < args.events; i += 1) {
  // A bulk publisher: chunks of 500, waiting for the pipeline's back-pressure between them.
  if (i % 500 === 0) await pipeline.whenReady();
  bus.publish(stageCompleted(args.offset + i));
}
for (;;) {
  const { events: stored, legacy } = await countBoth();
  if (stored === args.events && legacy === args.events) break;
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const ms = performance.now() - started;
const retentionReport = retention ? await retention : undefined;
const processed = (
  await counter.query<{ n: number }>(
    `select count(*)::int as n from ff_events
     where is_valid and event_timestamp >= $1 and event_status = 'Processed'`,
    [since],
  )
).rows[0].n;
await counter.end();
for (const abort of streams) abort.abort();
await app.close();
process.stdout.write(
  `RESULT ${JSON.stringify({
    events: args.events,
    processed,
    ms,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    retention: retentionReport,
  })}\n`,
);
