import fc from 'fast-check';
import { MikroORM } from '@mikro-orm/postgresql';
import { createStoreDatabase, type StoreDatabase } from '../../../test/support/store-database.js';
import { ormConfig } from '../../database/orm.config.js';
import { BoundSql } from '../../database/sql.js';
import { escapeLike } from '../../common/escape-like.js';
import type { SortOrder } from './event-query.js';
import { keywordSlicesStatement, RAREST_COUNTED, type KeywordSlice } from './keyword-slices.js';

const SLICE = 5 * 60_000;
const BASE = Date.parse('2026-03-01T00:00:00Z');

describe('keywordSlicesStatement', () => {
  let db: StoreDatabase;

  beforeAll(async () => {
    db = await createStoreDatabase();
  });
  afterAll(() => db.close());

  /** Events of `tenant`, each a description and an event time. */
  const insert = (tenant: string, events: readonly { description: string; at: number }[]) =>
    db.query(
      `insert into ff_events (event_id, event_type, event_timestamp, aggregate_id, aggregate_type,
         event_data, event_description, tenant_id)
       select $1 || '-' || n || '-' || gen_random_uuid(), 'T', at, 1, 'A', '{}', description, $1
       from unnest($2::text[], $3::timestamptz[]) with ordinality as e(description, at, n)`,
      [
        tenant,
        events.map((event) => event.description),
        events.map((event) => new Date(event.at).toISOString()),
      ],
    );

  const slices = async (
    tenant: string,
    keyword: string,
    order: SortOrder = 'desc',
    from: (Date | undefined)[] = [],
    to: (Date | undefined)[] = [],
    limit = 10_000,
  ) => {
    const statement = keywordSlicesStatement(tenant, keyword, order, from, to, limit);
    const rows = await new BoundSql(statement.sql).run<KeywordSlice>(db.sql, statement.params);
    return {
      keys: rows[0].keys,
      held: rows[0].held,
      slices: rows.flatMap((row) =>
        row.slice === null ? [] : [new Date(row.slice).toISOString()],
      ),
    };
  };

  /** The slices of the tenant's events whose descriptions hold the keyword, as ILIKE says. */
  const matchingSlices = async (tenant: string, keyword: string) => {
    const { rows } = await db.query<{ slice: string }>(
      `select distinct to_char(to_timestamp(floor(extract(epoch from event_timestamp) / 300) * 300)
           at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.000"Z"') as slice
       from ff_events where tenant_id = $1 and event_description ilike $2`,
      [tenant, `%${escapeLike(keyword)}%`],
    );
    return rows.map((row) => row.slice);
  };

  it('names every slice whose descriptions hold the keyword, whatever their case and signs', async () => {
    const words = fc.constantFrom(
      'ab',
      'abc',
      'ABcd',
      'Abcde',
      '10',
      '105',
      '1059',
      'x',
      'é1',
      'K12',
    );
    const signs = fc.constantFrom(' ', '-', ', ', '/', 'é', '%', '_');
    const description = fc
      .array(fc.tuple(signs, words), { minLength: 1, maxLength: 5 })
      .map((parts) => parts.map(([sign, word]) => sign + word).join(''));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(description, fc.nat(40)), { minLength: 1, maxLength: 12 }),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        async (events, which, start, length) => {
          const tenant = `prop-${(run += 1)}`;
          await insert(
            tenant,
            events.map(([text, slice]) => ({
              description: text,
              at: BASE + slice * SLICE + 1,
            })),
          );
          const text = events[which % events.length][0];
          const from = start % text.length;
          const keyword = text.slice(from, from + 1 + (length % (text.length - from)));
          const found = await slices(tenant, keyword);
          if (found.keys === 0) return;
          expect(found.slices).toEqual(
            expect.arrayContaining(await matchingSlices(tenant, keyword)),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('names only the slices that hold every word start of the keyword, newest first', async () => {
    await insert('only', [
      { description: 'Stage 10 completed for onboarding 1059999', at: BASE + 5 * SLICE },
      { description: 'Stage 10 completed for onboarding 1060000', at: BASE + 7 * SLICE },
      { description: 'Stage 2 completed for onboarding 1051', at: BASE + 9 * SLICE },
      { description: 'Stage 3 completed for boarding 105', at: BASE + 11 * SLICE },
    ]);
    const at = (slice: number) => new Date(BASE + slice * SLICE).toISOString();
    expect(await slices('only', 'onboarding 105')).toEqual({
      keys: 1,
      held: 3,
      slices: [at(11), at(9), at(5)],
    });
    expect(await slices('only', 'for onboarding 105')).toEqual({
      keys: 2,
      held: 3,
      slices: [at(9), at(5)],
    });
    expect(await slices('only', 'completed for onboarding 106')).toEqual({
      keys: 3,
      held: 1,
      slices: [at(7)],
    });
    expect((await slices('only', 'onboarding 105', 'asc')).slices).toEqual([at(5), at(9), at(11)]);
  });

  it('names the slices overlapping the latest lower bound and the earliest upper one, up to its limit', async () => {
    await insert(
      'bounds',
      Array.from({ length: 8 }, (_, slice) => ({
        description: 'order 4711',
        at: BASE + slice * SLICE,
      })),
    );
    const at = (slice: number) => new Date(BASE + slice * SLICE).toISOString();
    const inside = await slices(
      'bounds',
      'order 4711',
      'desc',
      [new Date(BASE + 2 * SLICE + 1), undefined, new Date(BASE)],
      [new Date(BASE + 6 * SLICE - 1), undefined],
    );
    expect(inside.slices).toEqual([at(5), at(4), at(3), at(2)]);
    expect((await slices('bounds', 'order 4711', 'asc', [], [], 3)).slices).toEqual([
      at(0),
      at(1),
      at(2),
    ]);
  });

  it('names no slice when the rarest word start is in RAREST_COUNTED of them or more', async () => {
    await insert(
      'many',
      Array.from({ length: RAREST_COUNTED + 1 }, (_, slice) => ({
        description: 'at log entry',
        at: BASE + slice * SLICE,
      })),
    );
    expect(await slices('many', 'log entry')).toEqual({
      keys: 1,
      held: RAREST_COUNTED,
      slices: [],
    });
  });

  it('has no word start for a keyword without one after its first word, and no slice for a tenant without one', async () => {
    await insert('none', [{ description: 'onboarding 7 done', at: BASE }]);
    expect(await slices('none', 'onboarding')).toEqual({ keys: 0, held: 0, slices: [] });
    expect(await slices('none', 'onboarding 7')).toEqual({ keys: 0, held: 0, slices: [] });
    expect(await slices('other-tenant', 'onboarding 7 done')).toEqual({
      keys: 1,
      held: 0,
      slices: [],
    });
  });

  it('is filled, by the migration, with the word starts of the events stored before it', async () => {
    const orm = await MikroORM.init(ormConfig(db.url));
    try {
      // Down to the migration before it (kept), so that the event comes before the trigger.
      await orm.migrator.down({ to: 'AddFailedListIndex_20261206' });
      expect(
        (await db.query(`select to_regclass('ff_description_prefixes') as t`)).rows[0].t,
      ).toBeNull();
      await insert('before', [{ description: 'Stage 1 completed for onboarding 2024', at: BASE }]);
      await orm.migrator.up();
    } finally {
      await orm.close();
    }
    expect(await slices('before', 'onboarding 2024')).toEqual({
      keys: 1,
      held: 1,
      slices: [new Date(BASE).toISOString()],
    });
  });
});
