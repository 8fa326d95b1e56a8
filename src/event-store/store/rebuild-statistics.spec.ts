import { createStoreDatabase, type StoreDatabase } from '../../../test/support/store-database.js';
import { daysAgo, seedEvents } from '../../../test/support/seed-events.js';
import { waitFor } from '../../../test/support/wait-for.js';
import { rebuildStatistics } from './rebuild-statistics.js';

describe('rebuildStatistics (npm run stats:rebuild)', () => {
  let db: StoreDatabase;

  beforeEach(async () => {
    db = await createStoreDatabase();
  });
  afterEach(() => db.close());

  const tiers = async () => {
    const read = async (sql: string) => (await db.query(sql)).rows;
    return {
      hourly: await read(`select tenant_id, hour::text, event_type, event_status, dead,
          events::int, retries::int, timed::int, duration_ms_sum
        from ff_event_stats where events <> 0 order by 1, 2, 3, 4, 5`),
      daily: await read(`select tenant_id, day::text, event_type, event_status, dead,
          events::int, retries::int, timed::int, duration_ms_sum
        from ff_event_stats_daily where events <> 0 order by 1, 2, 3, 4, 5`),
      hourlyDurations: await read(`select tenant_id, hour::text, event_type, bucket, events::int
        from ff_event_stats_durations where events <> 0 order by 1, 2, 3, 4`),
      dailyDurations: await read(`select tenant_id, day::text, event_type, bucket, events::int
        from ff_event_stats_durations_daily where events <> 0 order by 1, 2, 3, 4`),
    };
  };

  it('counts every tier again from the events, as the triggers had kept them', async () => {
    await seedEvents(db, [
      { eventId: 'a', tenantId: 'acme', durationMs: 12, eventTimestamp: daysAgo(3) },
      { eventId: 'b', tenantId: 'acme', eventStatus: 'Failed', processCount: 3, durationMs: 40 },
      { eventId: 'c', tenantId: 'acme', eventType: 'Other', eventTimestamp: daysAgo(40) },
      { eventId: 'd', tenantId: 'globex', durationMs: 5 },
      { eventId: 'gone', tenantId: 'acme', isValid: false },
    ]);
    const kept = await tiers();
    expect(kept.hourly.length).toBeGreaterThan(0);
    // What a restore or a hand edit with the triggers disabled leaves behind.
    await db.query('delete from ff_event_stats');
    await db.query('update ff_event_stats_daily set events = events + 5');
    await db.query('delete from ff_event_stats_durations_daily');
    await db.query(`insert into ff_event_stats_durations (tenant_id, hour, event_type, bucket, events)
      values ('acme', now(), 'Ghost', 3, 7)`);

    expect(await rebuildStatistics(db.sql)).toBe(kept.hourly.length);
    expect(await tiers()).toEqual(kept);
  });

  it('makes writers wait on the events table until it has counted: none counted twice or lost', async () => {
    await seedEvents(db, [{ eventId: 'first', tenantId: 'acme' }]);
    const blockedOnEvents = async () => {
      const { rows } = await db.query<{ n: number }>(
        `select count(*)::int as n from pg_locks
         where relation = 'ff_events'::regclass and not granted`,
      );
      return rows[0].n > 0 ? true : undefined;
    };
    const { rebuild, writer } = await db.sql.transaction(async (tx) => {
      // Holds the rebuild at its last statement, after it has locked ff_events.
      await tx.query('lock table ff_event_stats_durations_daily in exclusive mode');
      const started = rebuildStatistics(db.sql);
      await waitFor(async () => {
        const { rows } = await db.query<{ n: number }>(
          `select count(*)::int as n from pg_locks where relation = 'ff_events'::regclass
             and mode = 'ShareLock' and granted`,
        );
        return rows[0].n > 0 ? true : undefined;
      }, 'the rebuild to lock ff_events');
      const writing = seedEvents(db, [{ eventId: 'second', tenantId: 'acme' }]);
      await waitFor(blockedOnEvents, 'the writer to wait for ff_events');
      return { rebuild: started, writer: writing };
    });
    await rebuild;
    await writer;
    const { rows } = await db.query<{ events: number }>(
      `select sum(events)::int as events from ff_event_stats_daily where tenant_id = 'acme'`,
    );
    expect(rows).toEqual([{ events: 2 }]);
  });
});
