import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { decodeCursor, comparePositions } from '../../src/event-stream/stream-position.js';
import { SseClient } from '../support/sse-client.js';
import { RecorderModule, RecordingSubscriber } from '../support/stream-recorder.feature.js';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

const WRITERS = 8;
const EVENTS_PER_WRITER = 60;
/** Every this many events one is written by a transaction held open (a slow trigger). */
const SLOW_EVERY = 25;

/**
 * The stream never skips an event, however transactions commit: writers whose transactions stay
 * open after inserting (a trigger sleeps on marked events) while others commit later positions.
 * A subscriber and a Server-Sent Events client each get every event exactly once, in position
 * order. Run with one instance writing, then two.
 */
describe.each([1, 2])(
  'the stream with %i writing instance(s) and held transactions',
  (instances) => {
    let db: TestDatabase;
    let apps: NestFastifyApplication[];
    let port: number;

    beforeAll(async () => {
      db = await createTestDatabase();
      apps = [];
      for (let i = 0; i < instances; i += 1) {
        apps.push(
          await startTestApp(
            db.url,
            { STREAM_POLL_INTERVAL_MS: '250', SUBSCRIPTION_LEASE_MS: '5000' },
            { imports: [RecorderModule] },
          ),
        );
      }
      await db.query(`create function slow_insert() returns trigger language plpgsql as $$
      begin
        if new.event_data->>'slow' = 'true' then perform pg_sleep(0.8); end if;
        return new;
      end $$`);
      await db.query(`create trigger slow_insert before insert on ff_events
      for each row execute function slow_insert()`);
      await apps[0].listen(0, '127.0.0.1');
      port = (apps[0].getHttpServer().address() as { port: number }).port;
      RecordingSubscriber.received = [];
    });

    afterAll(async () => {
      for (const app of apps) await app.close();
      await db.drop();
    });

    it('delivers every event exactly once, in position order, to a subscriber and an SSE client', async () => {
      const sse = await SseClient.open(
        `http://127.0.0.1:${port}/api/events/stream?from=beginning&eventType=Gap`,
      );
      expect(sse.status).toBe(200);

      let slow = 0;
      await Promise.all(
        Array.from({ length: WRITERS }, async (_, writer) => {
          for (let i = 0; i < EVENTS_PER_WRITER; i += 1) {
            const n = writer * EVENTS_PER_WRITER + i;
            const isSlow = n % SLOW_EVERY === 0;
            if (isSlow) slow += 1;
            const response = await apps[n % instances].inject({
              method: 'POST',
              url: '/api/events',
              payload: {
                eventType: 'Gap',
                aggregateId: writer,
                aggregateType: 'Writer',
                eventData: { n, slow: isSlow },
              },
            });
            expect(response.statusCode).toBe(201);
          }
        }),
      );
      const total = WRITERS * EVENTS_PER_WRITER;
      const { rows } = await db.query<{ event_id: string }>(
        `select event_id from ff_events where event_type = 'Gap' order by tx_id, id`,
      );
      expect(rows).toHaveLength(total);
      const stored = rows.map((row) => row.event_id);

      const viaSse = (await sse.waitFor(total)).map((m) => m.data.eventId);
      const viaSubscriber = (
        await waitFor(
          () =>
            Promise.resolve(
              RecordingSubscriber.received.length >= total
                ? RecordingSubscriber.received
                : undefined,
            ),
          'the subscriber to receive every event',
          30_000,
        )
      ).map((e) => e.eventId);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await sse.close();

      for (const [name, received, cursors] of [
        ['SSE client', viaSse, sse.messages.map((m) => m.id)],
        ['subscriber', viaSubscriber, RecordingSubscriber.received.map((e) => e.cursor)],
      ] as const) {
        expect({ name, received }).toEqual({ name, received: stored });
        const positions = cursors.map((cursor) => decodeCursor(cursor)!);
        for (let i = 1; i < positions.length; i += 1) {
          expect(comparePositions(positions[i - 1], positions[i])).toBeLessThan(0);
        }
      }
      process.stdout.write(
        `gap test (${instances} instance(s)): written ${total}, held transactions ${slow}, ` +
          `delivered to the subscriber ${viaSubscriber.length}, to the SSE client ${viaSse.length}, ` +
          `skipped ${total - new Set(viaSubscriber).size}/${total - new Set(viaSse).size}, ` +
          `duplicated ${viaSubscriber.length - new Set(viaSubscriber).size}/${viaSse.length - new Set(viaSse).size}\n`,
      );
    }, 120_000);
  },
);
