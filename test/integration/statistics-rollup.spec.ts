import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fc from 'fast-check';
import { InFlightTracker } from '../../src/event-store/processing/in-flight.tracker.js';
import { RetentionSweeper } from '../../src/event-store/sweeps/retention.sweeper.js';
import { RetrySweeper } from '../../src/event-store/sweeps/retry.sweeper.js';
import { InvoiceModule, LedgerHandler } from '../support/invoice-paid.feature.js';
import { MovableClock } from '../support/movable-clock.js';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

const DAY_MS = 86_400_000;
const TENANTS = ['acme', 'globex'];

/** One step of a random run against the service. */
type Step =
  | {
      kind: 'append';
      tenant: number;
      amount: number;
      ageDays: number;
      type: 'InvoicePaid' | 'Noted';
    }
  | { kind: 'publish-many'; tenant: number; count: number }
  | { kind: 'mark'; tenant: number; pick: number }
  | { kind: 'retry'; tenant: number; pick: number; fixed: boolean }
  | { kind: 'sweep'; minutes: number; fixed: boolean }
  | { kind: 'cleanup'; tenant: number; olderThanDays: number }
  | { kind: 'retention' };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      tenant: fc.nat(1),
      amount: fc.integer({ min: -3, max: 5 }),
      ageDays: fc.constantFrom(0, 0, 1, 3, 40, 120),
      type: fc.constantFrom('InvoicePaid' as const, 'Noted' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('publish-many' as const),
      tenant: fc.nat(1),
      count: fc.integer({ min: 2, max: 15 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('mark' as const), tenant: fc.nat(1), pick: fc.nat() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('retry' as const),
      tenant: fc.nat(1),
      pick: fc.nat(),
      fixed: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('sweep' as const),
      minutes: fc.constantFrom(3, 5, 9, 20),
      fixed: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('cleanup' as const),
      tenant: fc.nat(1),
      olderThanDays: fc.constantFrom(2, 30, 100),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retention' as const) }) },
);

/**
 * The statistics rollups are kept by triggers on ff_events; after a random mix of appends, handler
 * failures, retries by hand and by the sweep, marks, cleanups and retention, they must equal a
 * recount of the table, bucket by bucket.
 */
describe('statistics rollups', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let clock: MovableClock;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(
      db.url,
      { LOG_LEVEL: 'fatal', EVENTS_RETENTION_DAYS: '90', EVENTS_CLEANUP_BATCH_SIZE: '10' },
      { imports: [InvoiceModule] },
    );
    clock = new MovableClock(app, new Date());
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const settled = () =>
    waitFor(
      () => Promise.resolve(app.get(InFlightTracker).size === 0 ? true : undefined),
      'handlers to finish',
    );

  async function run(steps: Step[]): Promise<void> {
    for (const s of steps) {
      const tenant = TENANTS[(s as { tenant?: number }).tenant ?? 0];
      const headers = { 'x-tenant-id': tenant };
      switch (s.kind) {
        case 'append': {
          const eventId = randomUUID();
          await app.inject({
            method: 'POST',
            url: '/api/events',
            headers,
            payload: {
              eventId,
              eventType: s.type,
              eventTimestamp: new Date(clock.now().getTime() - s.ageDays * DAY_MS).toISOString(),
              aggregateId: 1,
              aggregateType: 'Invoice',
              eventSource: s.amount % 2 ? 'Billing' : 'Shop',
              eventData: { eventId, tenantId: tenant, invoiceId: 1, amount: s.amount },
            },
          });
          break;
        }
        case 'publish-many':
          await Promise.all(
            Array.from({ length: s.count }, (_, i) => {
              const eventId = randomUUID();
              return app.inject({
                method: 'POST',
                url: '/api/events',
                headers,
                payload: {
                  eventId,
                  eventType: 'InvoicePaid',
                  aggregateId: i,
                  aggregateType: 'Invoice',
                  eventData: { eventId, tenantId: tenant, invoiceId: i, amount: (i % 3) - 1 },
                },
              });
            }),
          );
          break;
        case 'mark':
        case 'retry': {
          const { rows } = await db.query<{ event_id: string }>(
            `select event_id from ff_events where tenant_id = $1 and event_status = 'Failed'
             order by id`,
            [tenant],
          );
          if (rows.length === 0) break;
          if (s.kind === 'retry') LedgerHandler.fixed = s.fixed;
          const id = rows[s.pick % rows.length].event_id;
          await app.inject({
            method: 'POST',
            url: `/api/events/${id}/${s.kind === 'mark' ? 'processed' : 'retry'}`,
            headers,
          });
          break;
        }
        case 'sweep':
          LedgerHandler.fixed = s.fixed;
          clock.advance(s.minutes * 60_000);
          await app.get(RetrySweeper).run();
          break;
        case 'cleanup':
          await app.inject({
            method: 'POST',
            url: '/api/events/cleanup',
            headers,
            payload: { olderThanDays: s.olderThanDays },
          });
          break;
        case 'retention':
          await app.get(RetentionSweeper).run();
          break;
      }
      await settled();
    }
  }

  /** The rollups and a recount, as comparable lists of buckets. */
  async function compare() {
    const recount = await db.query(
      `select tenant_id, date_trunc('hour', event_timestamp)::text as hour, event_type, event_source,
         event_status, event_status = 'Failed' and not requires_retry as dead,
         count(*)::int as events, sum(greatest(process_count - 1, 0))::int as retries
       from ff_events where is_valid group by 1, 2, 3, 4, 5, 6 order by 1, 2, 3, 4, 5, 6`,
    );
    const rollup = await db.query(
      `select tenant_id, hour::text as hour, event_type, event_source, event_status, dead,
         events::int as events, retries::int as retries
       from ff_event_stats where events <> 0 order by 1, 2, 3, 4, 5, 6`,
    );
    const durationsRecount = await db.query(
      `select tenant_id, date_trunc('hour', event_timestamp)::text as hour, event_type,
         least(greatest(floor(4 * log(2, greatest(
           (event_metadata #>> '{processingInfo,durationMs}')::float8, 0.001)::numeric)), -40), 100)::int as bucket,
         count(*)::int as events
       from ff_events
       where is_valid and event_status in ('Processed', 'Failed') and event_metadata -> 'handlers' <> '{}'
       group by 1, 2, 3, 4 order by 1, 2, 3, 4`,
    );
    const durations = await db.query(
      `select tenant_id, hour::text as hour, event_type, bucket::int as bucket, events::int as events
       from ff_event_stats_durations where events <> 0 order by 1, 2, 3, 4`,
    );
    const dailyRecount = await db.query(
      `select tenant_id, (event_timestamp at time zone 'UTC')::date::text as day, event_type,
         event_source, event_status, event_status = 'Failed' and not requires_retry as dead,
         count(*)::int as events, sum(greatest(process_count - 1, 0))::int as retries
       from ff_events where is_valid group by 1, 2, 3, 4, 5, 6 order by 1, 2, 3, 4, 5, 6`,
    );
    const daily = await db.query(
      `select tenant_id, day::text as day, event_type, event_source, event_status, dead,
         events::int as events, retries::int as retries
       from ff_event_stats_daily where events <> 0 order by 1, 2, 3, 4, 5, 6`,
    );
    const dailyDurations = await db.query(
      `select tenant_id, (hour at time zone 'UTC')::date::text as day, event_type,
         bucket::int as bucket, sum(events)::int as events
       from ff_event_stats_durations group by 1, 2, 3, 4 having sum(events) <> 0
       order by 1, 2, 3, 4`,
    );
    const dailyDurationsKept = await db.query(
      `select tenant_id, day::text as day, event_type, bucket::int as bucket, events::int as events
       from ff_event_stats_durations_daily where events <> 0 order by 1, 2, 3, 4`,
    );
    return {
      dailyRecount: dailyRecount.rows,
      daily: daily.rows,
      dailyDurations: dailyDurations.rows,
      dailyDurationsKept: dailyDurationsKept.rows,
      recount: recount.rows,
      rollup: rollup.rows,
      durationsRecount: durationsRecount.rows,
      durations: durations.rows,
    };
  }

  it('equal a recount of the table after random runs of appends, failures, retries, marks and cleanups', async () => {
    const seed = Date.now();
    process.stdout.write(`statistics rollup run: fast-check seed ${seed}\n`);
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 30 }), async (steps) => {
        await run(steps);
        const rollups = await compare();
        expect(rollups.rollup).toEqual(rollups.recount);
        expect(rollups.durations).toEqual(rollups.durationsRecount);
        expect(rollups.daily).toEqual(rollups.dailyRecount);
        expect(rollups.dailyDurationsKept).toEqual(rollups.dailyDurations);
      }),
      { numRuns: 8, seed },
    );
    const { rows } = await db.query<{ n: number }>('select count(*)::int as n from ff_events');
    expect(rows[0].n).toBeGreaterThan(50);
  }, 180_000);
});
