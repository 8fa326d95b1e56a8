import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import {
  RETENTION_LOCK_KEY,
  RetentionSweeper,
} from '../../src/event-store/sweeps/retention.sweeper.js';
import { MovableClock } from '../support/movable-clock.js';
import { DAY_MS, seedEvents, type SeedEvent } from '../support/seed-events.js';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

const T0 = new Date('2026-06-01T00:00:00.000Z');
const at = (days: number) => new Date(T0.getTime() - days * DAY_MS);

function rows(prefix: string, count: number, fields: Partial<SeedEvent>): SeedEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    eventId: `${prefix}-${i}`,
    tenantId: `tenant-${i % 3}`,
    ...fields,
  }));
}

describe('retention sweep', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let sweeper: RetentionSweeper;

  const count = async (where: string) =>
    (await db.query<{ n: number }>(`select count(*)::int as n from ff_events where ${where}`))
      .rows[0].n;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.url, {
      EVENTS_RETENTION_DAYS: '30',
      EVENTS_PURGE_AFTER_DAYS: '7',
      EVENTS_CLEANUP_BATCH_SIZE: '100',
    });
    new MovableClock(app, T0);
    sweeper = app.get(RetentionSweeper);
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('soft-deletes exactly the events older than the period in batches, and purges only long-deleted rows', async () => {
    await seedEvents(db, [
      ...rows('old', 1_050, { eventTimestamp: at(30.01) }),
      ...rows('young', 40, { eventTimestamp: at(29.99) }),
      ...rows('deleted-long-ago', 15, {
        eventTimestamp: at(200),
        isValid: false,
        modifyDate: at(7.01),
      }),
      ...rows('deleted-recently', 5, {
        eventTimestamp: at(200),
        isValid: false,
        modifyDate: at(6.99),
      }),
    ]);

    const report = await sweeper.run();
    // 1,050 rows at 100 per statement: ten full batches and a short one that ends the loop.
    expect(report).toEqual({
      skipped: false,
      softDeleted: 1_050,
      softDeleteBatches: 11,
      purged: 15,
      purgeBatches: 1,
    });
    expect(await count(`event_id like 'old-%' and not is_valid`)).toBe(1_050);
    expect(await count(`event_id like 'old-%' and modify_date = '${T0.toISOString()}'`)).toBe(
      1_050,
    );
    expect(await count(`event_id like 'old-%' and modify_by like 'retention:%'`)).toBe(1_050);
    expect(await count(`event_id like 'young-%' and is_valid`)).toBe(40);
    expect(await count(`event_id like 'deleted-long-ago-%'`)).toBe(0);
    expect(await count(`event_id like 'deleted-recently-%'`)).toBe(5);

    expect(await sweeper.run()).toEqual({
      skipped: false,
      softDeleted: 0,
      softDeleteBatches: 1,
      purged: 0,
      purgeBatches: 1,
    });
  });

  it('does nothing while another instance holds the retention lock', async () => {
    await seedEvents(db, rows('locked-out', 10, { eventTimestamp: at(31) }));
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('begin');
      await other.query('select pg_advisory_xact_lock($1)', [RETENTION_LOCK_KEY]);
      expect(await sweeper.run()).toMatchObject({ skipped: true, softDeleted: 0 });
      expect(await count(`event_id like 'locked-out-%' and is_valid`)).toBe(10);
      await other.query('rollback');
    } finally {
      await other.end();
    }
    expect(await sweeper.run()).toMatchObject({ skipped: false, softDeleted: 10 });
  });
});

describe('retention sweep at shutdown', () => {
  it('finishes the batch in hand and stops', async () => {
    const db = await createTestDatabase();
    try {
      const app = await startTestApp(db.url, {
        EVENTS_RETENTION_DAYS: '30',
        EVENTS_CLEANUP_BATCH_SIZE: '10',
      });
      new MovableClock(app, T0);
      await seedEvents(db, rows('bulk', 20_000, { eventTimestamp: at(40) }));
      const deleted = async () =>
        (
          await db.query<{ n: number }>(
            `select count(*)::int as n from ff_events where not is_valid`,
          )
        ).rows[0].n;

      const run = app.get(RetentionSweeper).run();
      await waitFor(async () => ((await deleted()) > 0 ? true : undefined), 'a first batch');
      await app.close();
      const report = await run;

      const total = await deleted();
      expect(report?.softDeleted).toBe(total);
      expect(total % 10).toBe(0);
      expect(total).toBeLessThan(20_000);
    } finally {
      await db.drop();
    }
  });
});
