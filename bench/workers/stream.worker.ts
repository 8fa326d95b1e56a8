import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/bootstrap.js';
import { AppConfig } from '../../src/config/app-config.js';
import { EventPipeline } from '../../src/event-store/processing/event.pipeline.js';
import { onboardingStageCompletedMapping } from '../../src/onboarding/onboarding-stage-completed.mapping.js';
import { stageCompleted } from '../lib/events.js';
import { benchSubscriptions } from '../lib/noop-subscriptions.js';
import { percentile } from '../lib/stats.js';

/**
 * The stream's bench scenarios, each in a process of its own:
 * - `catch-up`: a no-op subscription from the beginning, 1000 events a batch, timed until its
 *   checkpoint has counted every stored event;
 * - `live`: events appended at a steady rate as the HTTP route does (each resolving at its
 *   commit), timed from that commit to a subscription's handler and to an SSE client's socket.
 */
interface Args {
  url: string;
  mode: 'catch-up' | 'live';
  events: number;
  ratePerSecond?: number;
  seconds?: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const config = AppConfig.fromEnv({
  DATABASE_URL: args.url,
  LOG_LEVEL: 'warn',
  EVENTS_RETRY_SWEEP_INTERVAL_MS: '3600000',
  EVENTS_RETENTION_SWEEP_INTERVAL_MS: '3600000',
  PORT: '0',
  HOST: '127.0.0.1',
});

if (args.mode === 'catch-up') {
  let received = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const started = performance.now();
  const app = await createApp(config, {
    imports: [
      // A name of its own: on a kept history (bench --keep) an earlier run's checkpoint is at the end.
      benchSubscriptions([{ name: `bench-catch-up-${Date.now()}`, batchSize: 1_000 }], (events) => {
        received += events.length;
        if (received >= args.events) done();
      }),
    ],
  });
  await app.init();
  await finished;
  const ms = performance.now() - started;
  await app.close();
  report({ events: received, ms });
} else {
  // Arrival and commit times are matched at the end: an event can reach its reader before the
  // continuation of its own append has run.
  const committedAt = new Map<string, number>();
  const handlerArrivals = new Map<string, number>();
  const sseArrivals = new Map<string, number>();
  const app: NestFastifyApplication = await createApp(config, {
    imports: [
      benchSubscriptions([{ name: 'bench-live', from: 'now', batchSize: 500 }], (events, at) => {
        for (const event of events) handlerArrivals.set(event.eventId, at);
      }),
    ],
  });
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  const sse = await followStream(`http://127.0.0.1:${port}/api/events/stream?from=now`, (id, at) =>
    sseArrivals.set(id, at),
  );
  const pipeline = app.get(EventPipeline);
  const rate = args.ratePerSecond ?? 2_000;
  const total = rate * (args.seconds ?? 10);
  const started = performance.now();
  const appends: Promise<unknown>[] = [];
  for (let i = 0; i < total; i += 1) {
    // Paced: event i is due at i / rate seconds.
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const envelope = onboardingStageCompletedMapping.toEnvelope(stageCompleted(i, 1));
    appends.push(
      pipeline.append({ ...envelope, tenantId: 'default' }).then(() => {
        committedAt.set(envelope.eventId, performance.now());
      }),
    );
  }
  await Promise.all(appends);
  const deadline = Date.now() + 30_000;
  while ((handlerArrivals.size < total || sseArrivals.size < total) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  sse.abort();
  await app.close();
  const latencies = (arrivals: Map<string, number>) =>
    [...arrivals]
      .map(([id, at]) => Math.max(0, at - (committedAt.get(id) ?? at)))
      .sort((a, b) => a - b);
  const h = latencies(handlerArrivals);
  const s = latencies(sseArrivals);
  report({
    events: total,
    ratePerSecond: rate,
    handler: { received: h.length, p50Ms: percentile(h, 50), p99Ms: percentile(h, 99) },
    sse: { received: s.length, p50Ms: percentile(s, 50), p99Ms: percentile(s, 99) },
  });
}

/** An SSE client that notes when each event id arrives. */
async function followStream(url: string, arrived: (eventId: string, at: number) => void) {
  const abort = new AbortController();
  const response = await fetch(url, { signal: abort.signal });
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body!) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (data) arrived((JSON.parse(data) as { eventId: string }).eventId, performance.now());
        }
      }
    } catch {
      // aborted at the end
    }
  })();
  return abort;
}

function report(result: object): void {
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}
