import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { sample } from '../support/prometheus.js';
import { SseClient } from '../support/sse-client.js';
import { RecorderModule, RecordingSubscriber } from '../support/stream-recorder.feature.js';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

const ACME_KEY = 'acme-key-0123456789';
const GLOBEX_KEY = 'globex-key-0123456789';
const OPERATOR_KEY = 'operator-key-0123456789';
const MAX_CLIENTS = 210;

/** GET /api/events/stream and the subscription routes of SPEC §11, over real sockets. */
describe('the event stream over HTTP', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let base: string;
  const auth = (key: string, tenant?: string) => ({
    authorization: `Bearer ${key}`,
    ...(tenant ? { 'x-tenant-id': tenant } : {}),
  });
  const append = async (key: string, eventType = 'Gap', data: object = {}) => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/events',
      headers: auth(key),
      payload: { eventType, aggregateId: 1, aggregateType: 'Note', eventData: data },
    });
    expect(response.statusCode).toBe(201);
    return response.json<{ eventId: string }>().eventId;
  };
  const metric = async (name: string, labels: Record<string, string> = {}) =>
    sample((await app.inject({ url: '/metrics' })).body, name, labels);

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(
      db.url,
      {
        API_KEYS: `${ACME_KEY}:acme,${GLOBEX_KEY}:globex,${OPERATOR_KEY}:*`,
        STREAM_POLL_INTERVAL_MS: '300',
        STREAM_MAX_CLIENTS: String(MAX_CLIENTS),
        STREAM_CLIENT_STALL_MS: '1500',
        STREAM_HEARTBEAT_MS: '300',
        SUBSCRIPTION_LEASE_MS: '3000',
      },
      { imports: [RecorderModule] },
    );
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });

  afterAll(async () => {
    if (!closed) await app.close();
    await db.drop();
  });
  let closed = false;

  it('applies the API key rules: 401 without a key, 403 for another tenant', async () => {
    expect((await SseClient.open(`${base}/api/events/stream`)).status).toBe(401);
    const foreign = await SseClient.open(`${base}/api/events/stream`, auth(ACME_KEY, 'globex'));
    expect(foreign.status).toBe(403);
    const bad = await SseClient.open(`${base}/api/events/stream?from=yesterday`, auth(ACME_KEY));
    expect(bad.status).toBe(400);
  });

  it("never carries another tenant's events, and resumes after Last-Event-ID with exactly the rest", async () => {
    const stream = await SseClient.open(`${base}/api/events/stream?from=now`, auth(ACME_KEY));
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers.get('x-content-type-options')).toBe('nosniff');
    const acme: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      acme.push(await append(ACME_KEY, 'Gap', { i }));
      await append(GLOBEX_KEY, 'Gap', { i });
    }
    const first = await stream.waitFor(6);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(first.map((m) => m.data.tenantId)).toEqual(Array(6).fill('acme'));
    expect(first.map((m) => m.data.eventId)).toEqual(acme);
    expect(first.map((m) => m.event)).toEqual(Array(6).fill('Gap'));
    await stream.close();

    const resumed = await SseClient.open(`${base}/api/events/stream?from=beginning`, {
      ...auth(ACME_KEY),
      'last-event-id': first[2].id,
    });
    await resumed.waitFor(3);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(resumed.messages.map((m) => m.data.eventId)).toEqual(acme.slice(3));
    await resumed.close();
  });

  it('sends a comment line every STREAM_HEARTBEAT_MS, so that proxies keep the stream open', async () => {
    const response = await fetch(`${base}/api/events/stream?from=now`, { headers: auth(ACME_KEY) });
    const decoder = new TextDecoder();
    let text = '';
    const until = Date.now() + 1_000;
    for await (const chunk of response.body!) {
      text += decoder.decode(chunk as Uint8Array);
      if (Date.now() > until || (text.match(/: keep-alive/g) ?? []).length >= 2) break;
    }
    expect(text.startsWith(': connected\nretry: 3000\n\n')).toBe(true);
    expect((text.match(/: keep-alive\n\n/g) ?? []).length).toBeGreaterThanOrEqual(2);
  });

  it('filters by event type and aggregate', async () => {
    const stream = await SseClient.open(
      `${base}/api/events/stream?from=now&eventType=Wanted,Other&aggregateType=Note`,
      auth(ACME_KEY),
    );
    await append(ACME_KEY, 'Unwanted');
    const wanted = await append(ACME_KEY, 'Wanted');
    await stream.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stream.messages.map((m) => m.data.eventId)).toEqual([wanted]);
    await stream.close();
  });

  it('keeps 200 open streams live within bounded memory, and refuses more with 503', async () => {
    const before = process.memoryUsage().heapUsed;
    const streams = await Promise.all(
      Array.from({ length: 200 }, () =>
        SseClient.open(`${base}/api/events/stream?from=now`, auth(GLOBEX_KEY)),
      ),
    );
    expect(streams.every((s) => s.status === 200)).toBe(true);
    const filler = Array.from({ length: MAX_CLIENTS - 200 }, () =>
      SseClient.open(`${base}/api/events/stream?from=now`, auth(GLOBEX_KEY)),
    );
    const extra = await Promise.all(filler);
    const over = await SseClient.open(`${base}/api/events/stream`, auth(GLOBEX_KEY));
    expect(over.status).toBe(503);
    expect(over.headers.get('retry-after')).toBe('5');
    for (const stream of extra) await stream.close();

    const id = await append(GLOBEX_KEY, 'Gap', { to: 'everyone' });
    await Promise.all(streams.map((s) => s.waitFor(1)));
    expect(streams.every((s) => s.messages[0].data.eventId === id)).toBe(true);
    expect(await metric('flowflex_stream_open_streams')).toBe(200);
    const grownMb = (process.memoryUsage().heapUsed - before) / 2 ** 20;
    process.stdout.write(
      `200 open streams: heap grew ${grownMb.toFixed(1)} MB (clients included)\n`,
    );
    expect(grownMb).toBeLessThan(100);
    await Promise.all(streams.map((s) => s.close()));
    await waitFor(
      async () => ((await metric('flowflex_stream_open_streams')) === 0 ? true : undefined),
      'the streams to be counted closed',
    );
  });

  it('disconnects a client that stops reading instead of buffering for it', async () => {
    const port = Number(new URL(base).port);
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `GET /api/events/stream?from=now HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ACME_KEY}\r\n\r\n`,
    );
    // Never read: once the kernel's buffers fill, the server cannot write.
    socket.pause();
    await waitFor(
      async () => ((await metric('flowflex_stream_open_streams')) === 1 ? true : undefined),
      'the stalled stream to open',
    );
    const heapBefore = process.memoryUsage().heapUsed;
    const payload = { text: 'x'.repeat(20_000) };
    for (let i = 0; i < 300; i += 1) await append(ACME_KEY, 'Gap', payload);
    await waitFor(
      async () => ((await metric('flowflex_stream_open_streams')) === 0 ? true : undefined),
      'the stalled client to be disconnected',
      20_000,
    );
    const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    process.stdout.write(
      `stalled client: ${300 * 20} KB written to it, heap grew ${grownMb.toFixed(1)} MB\n`,
    );
    socket.destroy();
  });

  describe('subscriptions', () => {
    it('parks an event its handler keeps failing on, goes on, and delivers it again on replay', async () => {
      RecordingSubscriber.received = [];
      const poison = randomUUID();
      RecordingSubscriber.failOn.add(poison);
      const response = await app.inject({
        method: 'POST',
        url: '/api/events',
        headers: auth(ACME_KEY),
        payload: {
          eventId: poison,
          eventType: 'Gap',
          aggregateId: 1,
          aggregateType: 'Note',
          eventData: { poison: true },
        },
      });
      expect(response.statusCode).toBe(201);
      // The poison event may already be delivered by now; a new one proves the subscription goes on.
      const later = await append(ACME_KEY, 'Gap', { after: true });
      await waitFor(
        () =>
          Promise.resolve(
            RecordingSubscriber.received.some((e) => e.eventId === later) ? true : undefined,
          ),
        'the subscription to go on past the poison event',
        30_000,
      );
      const parked = await app.inject({
        url: '/api/subscriptions/recorder/parked',
        headers: auth(OPERATOR_KEY),
      });
      expect(RecordingSubscriber.received.some((e) => e.eventId === poison)).toBe(false);
      expect(parked.json()).toEqual([
        expect.objectContaining({ subscription: 'recorder', eventId: poison, attempts: 5 }),
      ]);
      expect(await metric('flowflex_subscription_parked', { subscription: 'recorder' })).toBe(1);

      const again = await app.inject({
        method: 'POST',
        url: `/api/subscriptions/recorder/parked/${poison}/replay`,
        headers: auth(OPERATOR_KEY),
      });
      expect(again.statusCode).toBe(409);

      RecordingSubscriber.failOn.delete(poison);
      const replayed = await app.inject({
        method: 'POST',
        url: `/api/subscriptions/recorder/parked/${poison}/replay`,
        headers: auth(OPERATOR_KEY),
      });
      expect(replayed.statusCode).toBe(200);
      expect(RecordingSubscriber.received.filter((e) => e.eventId === poison)).toHaveLength(1);
      const empty = await app.inject({
        url: '/api/subscriptions/recorder/parked',
        headers: auth(OPERATOR_KEY),
      });
      expect(empty.json()).toEqual([]);
    }, 60_000);

    it('lists subscriptions with cursor, lag, owner, state and parked count, for operators only', async () => {
      await waitFor(async () => {
        const response = await app.inject({
          url: '/api/subscriptions',
          headers: auth(OPERATOR_KEY),
        });
        const [recorder] = response.json<{ lagEvents: number }[]>();
        return recorder?.lagEvents === 0 ? recorder : undefined;
      }, 'the subscription to catch up');
      const response = await app.inject({ url: '/api/subscriptions', headers: auth(OPERATOR_KEY) });
      expect(response.json()).toEqual([
        expect.objectContaining({
          name: 'recorder',
          eventTypes: ['Gap'],
          tenantId: null,
          cursor: expect.stringMatching(/^\d+-\d+$/),
          lagEvents: 0,
          lagSeconds: 0,
          owner: expect.any(String),
          state: 'running',
          parked: 0,
          delivered: expect.any(Number),
        }),
      ]);
      const tenant = await app.inject({ url: '/api/subscriptions', headers: auth(ACME_KEY) });
      expect(tenant.statusCode).toBe(403);
      expect(await metric('flowflex_subscription_lag_events', { subscription: 'recorder' })).toBe(
        0,
      );
      expect(await metric('flowflex_stream_watermark_age_seconds')).toBeGreaterThanOrEqual(0);
    });

    it('resets a subscription to the beginning: it delivers everything again', async () => {
      const before = RecordingSubscriber.received.length;
      const stored = Number(
        (
          await db.query<{ n: string }>(
            `select count(*) as n from ff_events where event_type = 'Gap'`,
          )
        ).rows[0].n,
      );
      const reset = await app.inject({
        method: 'POST',
        url: '/api/subscriptions/recorder/reset',
        headers: auth(OPERATOR_KEY),
        payload: { from: 'beginning' },
      });
      expect(reset.statusCode).toBe(200);
      expect(reset.json()).toMatchObject({ cursor: '0-0' });
      await waitFor(
        () =>
          Promise.resolve(
            RecordingSubscriber.received.length >= before + stored ? true : undefined,
          ),
        'every event to be delivered again',
        30_000,
      );
      const bad = await app.inject({
        method: 'POST',
        url: '/api/subscriptions/recorder/reset',
        headers: auth(OPERATOR_KEY),
        payload: { from: 'last week' },
      });
      expect(bad.statusCode).toBe(400);
      const unknown = await app.inject({
        method: 'POST',
        url: '/api/subscriptions/nobody/reset',
        headers: auth(OPERATOR_KEY),
        payload: { from: 'now' },
      });
      expect(unknown.statusCode).toBe(404);
    });

    it('keeps delivering when its LISTEN connection is killed', async () => {
      const { rows } = await db.query<{ n: number }>(
        `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
         where application_name = 'flowflex-events stream listener' and datname = current_database()`,
      );
      expect(rows[0].n).toBe(1);
      RecordingSubscriber.received = [];
      const stream = await SseClient.open(`${base}/api/events/stream?from=now`, auth(ACME_KEY));
      const id = await append(ACME_KEY, 'Gap', { afterKill: true });
      await stream.waitFor(1);
      await waitFor(
        () =>
          Promise.resolve(
            RecordingSubscriber.received.some((e) => e.eventId === id) ? true : undefined,
          ),
        'the subscriber to receive the event',
      );
      await stream.close();
      await waitFor(
        async () => {
          const again = await db.query<{ n: number }>(
            `select count(*)::int as n from pg_stat_activity
           where application_name = 'flowflex-events stream listener' and datname = current_database()`,
          );
          return again.rows[0].n === 1 ? true : undefined;
        },
        'the listener to reconnect',
        15_000,
      );
    });
  });

  it('closes open streams cleanly at shutdown', async () => {
    const stream = await SseClient.open(`${base}/api/events/stream?from=now`, auth(ACME_KEY));
    expect(stream.status).toBe(200);
    closed = true;
    await app.close();
    await stream.close();
    await expect(fetch(`${base}/api/events/stream`, { headers: auth(ACME_KEY) })).rejects.toThrow();
  });
});
