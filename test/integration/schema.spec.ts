import { MikroORM } from '@mikro-orm/postgresql';
import { migrateDown, migrateUp } from '../../src/database/migration-runner.js';
import { ormConfig } from '../../src/database/orm.config.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface Column {
  column_name: string;
  type: string;
  is_nullable: 'YES' | 'NO';
}

const FF_EVENTS_COLUMNS: [name: string, type: string, nullable: boolean][] = [
  ['id', 'bigint', false],
  ['event_id', 'character varying(100)', false],
  ['event_type', 'character varying(100)', false],
  ['event_version', 'character varying(20)', false],
  ['event_timestamp', 'timestamp with time zone', false],
  ['aggregate_id', 'bigint', false],
  ['aggregate_type', 'character varying(50)', false],
  ['event_source', 'character varying(50)', false],
  ['event_data', 'jsonb', false],
  ['event_metadata', 'jsonb', false],
  ['event_description', 'character varying(500)', true],
  ['event_status', 'character varying(20)', false],
  ['process_count', 'integer', false],
  ['last_processed_at', 'timestamp with time zone', true],
  ['error_message', 'character varying(2000)', true],
  ['related_entity_id', 'bigint', true],
  ['related_entity_type', 'character varying(50)', true],
  ['event_tags', 'jsonb', false],
  ['requires_retry', 'boolean', false],
  ['next_retry_at', 'timestamp with time zone', true],
  ['max_retry_count', 'integer', false],
  ['tenant_id', 'character varying(50)', false],
  ['is_valid', 'boolean', false],
  ['create_date', 'timestamp with time zone', false],
  ['create_by', 'character varying(100)', false],
  ['modify_date', 'timestamp with time zone', false],
  ['modify_by', 'character varying(100)', false],
  // The stream position's transaction id (SPEC §11), beside id.
  ['tx_id', 'xid8', false],
];

const LEGACY_COLUMNS: [name: string, type: string, nullable: boolean][] = [
  ['id', 'bigint', false],
  ['tenant_id', 'character varying(50)', false],
  ['onboarding_id', 'bigint', false],
  ['stage_id', 'bigint', false],
  ['stage_name', 'character varying(200)', false],
  ['log_type', 'character varying(50)', false],
  ['action', 'character varying(100)', false],
  ['log_data', 'jsonb', false],
  ['success', 'boolean', false],
  ['error_message', 'character varying(2000)', true],
  ['network_status', 'character varying(50)', true],
  ['response_time', 'integer', true],
  ['user_agent', 'character varying(500)', true],
  ['request_url', 'character varying(500)', true],
  ['source', 'character varying(50)', true],
  ['ip_address', 'character varying(50)', true],
  ['session_id', 'character varying(100)', true],
  ['is_valid', 'boolean', false],
  ['create_date', 'timestamp with time zone', false],
  ['modify_date', 'timestamp with time zone', false],
  ['create_by', 'character varying(100)', false],
  ['modify_by', 'character varying(100)', false],
  ['create_user_id', 'bigint', true],
  ['modify_user_id', 'bigint', true],
];

const FF_EVENTS_INDEXES = [
  'idx_ff_events_event_id',
  'idx_ff_events_event_type',
  'idx_ff_events_aggregate',
  'idx_ff_events_tenant',
  'idx_ff_events_status',
  'idx_ff_events_source',
  'idx_ff_events_retry',
  'idx_ff_events_tenant_retry_time',
  'idx_ff_events_tenant_failed_due',
  'idx_ff_events_related_entity',
  'idx_ff_events_timestamp',
  'idx_ff_events_tags_gin',
  'idx_ff_events_data_gin',
  'idx_ff_events_tenant_type_time',
  'idx_ff_events_aggregate_type_time',
];

async function columnsOf(db: TestDatabase, table: string) {
  const { rows } = await db.query<Column>(
    `select a.attname as column_name,
            format_type(a.atttypid, a.atttypmod) as type,
            case when a.attnotnull then 'NO' else 'YES' end as is_nullable
       from pg_attribute a
      where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped
      order by a.attnum`,
    [table],
  );
  return rows.map((c) => [c.column_name, c.type, c.is_nullable === 'YES']);
}

async function indexesOf(db: TestDatabase, table: string) {
  const { rows } = await db.query<{ name: string; method: string; unique: boolean; def: string }>(
    `select i.relname as name, am.amname as method, x.indisunique as unique,
            pg_get_indexdef(x.indexrelid) as def
       from pg_index x
       join pg_class i on i.oid = x.indexrelid
       join pg_am am on am.oid = i.relam
      where x.indrelid = $1::regclass`,
    [table],
  );
  return new Map(rows.map((row) => [row.name, row]));
}

async function statisticsExist(db: TestDatabase, name: string): Promise<boolean> {
  const { rows } = await db.query('select 1 from pg_statistic_ext where stxname = $1', [name]);
  return rows.length > 0;
}

async function tableExists(db: TestDatabase, table: string): Promise<boolean> {
  const { rows } = await db.query<{ found: string | null }>('select to_regclass($1) as found', [
    table,
  ]);
  return rows[0]?.found !== null;
}

const ALL_MIGRATIONS = [
  'CreateEventsTable_20241220',
  'AddPurgeIndex_20261124',
  'TenantScopedIndexes_20261124',
  'AddEventStream_20261125',
  'AddStatisticsRollups_20261125',
  'AddRetrySelections_20261125',
  'AddDailyStatistics_20261125',
  'AddDescriptionTrigramStatistics_20261203',
  'DayKeyedGinIndexes_20261203',
  'AddRetryPageIndex_20261204',
  'TenantKeyedDescriptionIndex_20261206',
  'AddFailedListIndex_20261206',
  'AddDescriptionPrefixes_20261206',
];

describe('migrations', () => {
  let db: TestDatabase;
  let orm: MikroORM;

  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await MikroORM.init(ormConfig(db.url));
    expect(await migrateUp(orm)).toEqual(ALL_MIGRATIONS);
  });

  afterAll(async () => {
    await orm.close();
    await db.drop();
  });

  it('creates ff_events with the 27 columns of SPEC §3 and the stream position, their types and nullability', async () => {
    expect(await columnsOf(db, 'ff_events')).toEqual(FF_EVENTS_COLUMNS);
  });

  it("leaves the ORM's schema diff empty: the entities describe what the migrations made", async () => {
    expect(await orm.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
  });

  it('creates ff_stage_completion_log in the legacy shape', async () => {
    expect(await columnsOf(db, 'ff_stage_completion_log')).toEqual(LEGACY_COLUMNS);
  });

  it('creates every named ff_events index, the event_id one unique over all rows', async () => {
    const indexes = await indexesOf(db, 'ff_events');
    for (const name of FF_EVENTS_INDEXES) expect(indexes.has(name)).toBe(true);

    const eventId = indexes.get('idx_ff_events_event_id');
    expect(eventId?.unique).toBe(true);
    expect(eventId?.def).not.toMatch(/WHERE/);
  });

  it('makes the tag and data indexes GIN', async () => {
    const indexes = await indexesOf(db, 'ff_events');
    expect(indexes.get('idx_ff_events_tags_gin')?.method).toBe('gin');
    expect(indexes.get('idx_ff_events_data_gin')?.method).toBe('gin');
    expect(indexes.get('idx_ff_events_data_gin')?.def).toMatch(/jsonb_path_ops/);
  });

  it('indexes only rows waiting for a retry in idx_ff_events_retry', async () => {
    const indexes = await indexesOf(db, 'ff_events');
    expect(indexes.get('idx_ff_events_retry')?.def).toMatch(
      /\(next_retry_at, process_count, tenant_id\) WHERE \(requires_retry AND is_valid\)/,
    );
  });

  it('indexes only rows waiting for a retry by tenant and time, for requiresRetry pages', async () => {
    const indexes = await indexesOf(db, 'ff_events');
    expect(indexes.get('idx_ff_events_tenant_retry_time')?.def).toMatch(
      /\(tenant_id, event_timestamp DESC\) WHERE \(requires_retry AND is_valid\)/,
    );
  });

  it("indexes only Failed rows waiting for a retry by tenant, due time and id, for the tenant's failed list", async () => {
    const indexes = await indexesOf(db, 'ff_events');
    expect(indexes.get('idx_ff_events_tenant_failed_due')?.def).toMatch(
      /\(tenant_id, next_retry_at, id\) WHERE \(requires_retry AND is_valid AND \(\(event_status\)::text = 'Failed'::text\)\)/,
    );
  });

  it('leads the filter indexes with tenant_id, every read being scoped to one tenant', async () => {
    const indexes = await indexesOf(db, 'ff_events');
    for (const name of [
      'idx_ff_events_status',
      'idx_ff_events_source',
      'idx_ff_events_related_entity',
      'idx_ff_events_tags_gin',
      'idx_ff_events_data_gin',
    ]) {
      expect(indexes.get(name)?.def).toMatch(/\(tenant_id, /);
    }
    expect(indexes.get('idx_ff_events_description_keys')?.def).toMatch(
      /gin \(ff_description_keys\(tenant_id, event_timestamp, \(event_description\)::text\) COLLATE "C"\) WITH \(gin_pending_list_limit='512'\) WHERE is_valid/,
    );
    expect(indexes.has('idx_ff_events_description_trgm')).toBe(false);
  });

  it("keys a description by the tenant's trigrams, the tenant's day and the hour of that day", async () => {
    const { rows } = await db.query<{ keys: string[] }>(
      `select ff_description_keys('t1', '2026-12-06T10:00:00Z', 'Ab-1') as keys
       union all select ff_description_keys('t1', '2026-12-06T09:59:59.999Z', null)`,
    );
    const day = (Date.parse('2026-12-06') - Date.parse('2000-01-01')) / 86_400_000;
    expect(rows.map((row) => row.keys)).toEqual([
      ['t1/ 1 ', 't1/ ab', 't1/ab ', `t1/${day}/`, `t1/${day}/10`],
      [`t1/${day}/`, `t1/${day}/09`],
    ]);
  });

  it('indexes soft-deleted rows by modify_date for the purge, and only those', async () => {
    const indexes = await indexesOf(db, 'ff_events');
    expect(indexes.get('idx_ff_events_purge')?.def).toMatch(
      /\(modify_date\) WHERE \(NOT is_valid\)/,
    );
  });

  it('rejects a second row with the same event_id, even after a soft delete', async () => {
    const insert = `insert into ff_events (event_id, event_type, event_timestamp, aggregate_id,
      aggregate_type, event_data, tenant_id, is_valid) values ('dup-1', 'T', now(), 1, 'A', '{}', 't', $1)`;
    await db.query(insert, [false]);
    await expect(db.query(insert, [true])).rejects.toThrow(/idx_ff_events_event_id/);
  });

  it('rejects a second legacy row for the same event', async () => {
    const insert = `insert into ff_stage_completion_log (tenant_id, onboarding_id, stage_id,
      stage_name, log_data) values ('t', 1, 2, 'Stage', '{"eventId": "legacy-1"}')`;
    await db.query(insert);
    await expect(db.query(insert)).rejects.toThrow(/idx_ff_stage_completion_log_event_id/);
  });

  it('empties the statistics rollups when ff_events is truncated', async () => {
    await db.query(`insert into ff_events (event_id, event_type, event_timestamp, aggregate_id,
      aggregate_type, event_data, tenant_id) values ('truncated-1', 'T', now(), 1, 'A', '{}', 't')`);
    await db.query('truncate ff_events');
    const { rows } = await db.query<{ buckets: number }>(
      `select (select count(*) from ff_event_stats) + (select count(*) from ff_event_stats_daily)
         + (select count(*) from ff_event_stats_durations)
         + (select count(*) from ff_event_stats_durations_daily) as buckets`,
    );
    expect(Number(rows[0].buckets)).toBe(0);
  });

  it('keeps ANALYZE statistics of the trigrams in descriptions', async () => {
    await db.query(`insert into ff_events (event_id, event_type, event_timestamp, aggregate_id,
      aggregate_type, event_data, event_description, tenant_id)
      select 'described-' || i, 'T', now(), 1, 'A', '{}', 'Invoice ' || i || ' paid', 't'
      from generate_series(1, 200) as i`);
    await db.query('analyze ff_events');
    const { rows } = await db.query<{ share: number }>(
      `select share from pg_stats_ext_exprs, unnest(
         most_common_elems::text::text[], most_common_elem_freqs) as e(trigram, share)
       where statistics_name = 'ff_events_description_trigrams' and trigram = 'voi'`,
    );
    // Every description holds 'voi' (of "Invoice").
    expect(rows).toEqual([{ share: 1 }]);
    await db.query(`delete from ff_events where event_id like 'described-%'`);
  });

  it('keys an event with an infinite timestamp by no day, rather than refusing it', async () => {
    await db.query(`insert into ff_events (event_id, event_type, event_timestamp, aggregate_id,
      aggregate_type, event_data, tenant_id) values ('infinite-1', 'T', 'infinity', 1, 'A', '{}', 't')`);
    const { rows } = await db.query<{ day: string | null }>(
      `select ff_event_day(tenant_id, event_timestamp) as day from ff_events
       where event_id = 'infinite-1'`,
    );
    expect(rows).toEqual([{ day: null }]);
    await db.query(`delete from ff_events where event_id = 'infinite-1'`);
  });

  it('resumes an interrupted DayKeyedGinIndexes, building again only what was not finished', async () => {
    const oids = async () =>
      (
        await db.query<{ name: string; oid: number }>(
          `select c.relname as name, c.oid::int as oid from pg_class as c
           where c.relname in ('idx_ff_events_tags_gin', 'idx_ff_events_data_gin')`,
        )
      ).rows;
    const before = await oids();
    // Interrupted after the tags index was built as _next and the old one dropped, before the
    // rename, and before the migration was recorded.
    await db.query('alter index idx_ff_events_tags_gin rename to idx_ff_events_tags_gin_next');
    await db.query(`delete from mikro_orm_migrations where name = 'DayKeyedGinIndexes_20261203'`);
    expect(await migrateUp(orm)).toEqual(['DayKeyedGinIndexes_20261203']);
    expect(await oids()).toEqual(expect.arrayContaining(before));
    expect(await oids()).toHaveLength(2);
  });

  it('builds the retry page index again when an interrupted run left it invalid', async () => {
    // An invalid index is what CREATE INDEX CONCURRENTLY leaves when it is cut off.
    await db.query(`update pg_index set indisvalid = false
      where indexrelid = 'idx_ff_events_tenant_retry_time'::regclass`);
    await db.query(`delete from mikro_orm_migrations where name = 'AddRetryPageIndex_20261204'`);
    expect(await migrateUp(orm)).toEqual(['AddRetryPageIndex_20261204']);
    const { rows } = await db.query<{ valid: boolean }>(`select indisvalid as valid from pg_index
      where indexrelid = 'idx_ff_events_tenant_retry_time'::regclass`);
    expect(rows).toEqual([{ valid: true }]);
  });

  it('builds the description keys index again when an interrupted run left it invalid, and drops the trigram index it replaces', async () => {
    await db.query(`update pg_index set indisvalid = false
      where indexrelid = 'idx_ff_events_description_keys'::regclass`);
    await db.query(`delete from mikro_orm_migrations
      where name = 'TenantKeyedDescriptionIndex_20261206'`);
    expect(await migrateUp(orm)).toEqual(['TenantKeyedDescriptionIndex_20261206']);
    const { rows } = await db.query<{ valid: boolean }>(`select indisvalid as valid from pg_index
      where indexrelid = 'idx_ff_events_description_keys'::regclass`);
    expect(rows).toEqual([{ valid: true }]);
  });

  it('builds the description keys index again when the function it was built with had another body', async () => {
    const oid = async () =>
      (
        await db.query<{ oid: number }>(
          `select 'idx_ff_events_description_keys'::regclass::oid::int as oid`,
        )
      ).rows[0].oid;
    const before = await oid();
    await db.query(`create or replace function ff_description_keys(
        tenant varchar, at timestamptz, description text)
      returns text[] immutable parallel safe language sql set search_path from current
      as $$ select array[tenant] $$`);
    await db.query(`delete from mikro_orm_migrations
      where name = 'TenantKeyedDescriptionIndex_20261206'`);
    expect(await migrateUp(orm)).toEqual(['TenantKeyedDescriptionIndex_20261206']);
    expect(await oid()).not.toBe(before);
    const { rows } = await db.query<{ keys: string[] }>(
      `select ff_description_keys('t1', '2026-12-06T10:00:00Z', null) as keys`,
    );
    expect(rows[0].keys).toHaveLength(2);
  });

  it('round-trips down then up on a populated database', async () => {
    await db.query(`insert into ff_events (event_id, event_type, event_timestamp, aggregate_id,
      aggregate_type, event_data, tenant_id) values ('populated-1', 'T', now(), 1, 'A', '{"a":1}', 't')`);
    // The tests above ran the day-keyed, retry page and description keys migrations again, after
    // the failed list's: they are undone first, in the reverse of the order they were last done.
    expect(await migrateDown(orm)).toEqual(['TenantKeyedDescriptionIndex_20261206']);
    expect((await indexesOf(db, 'ff_events')).get('idx_ff_events_description_trgm')?.def).toMatch(
      /gin \(tenant_id, ff_event_day\(tenant_id, event_timestamp\), event_description gin_trgm_ops\)/,
    );
    expect((await indexesOf(db, 'ff_events')).has('idx_ff_events_description_keys')).toBe(false);
    expect(await migrateDown(orm)).toEqual(['AddRetryPageIndex_20261204']);
    expect((await indexesOf(db, 'ff_events')).has('idx_ff_events_tenant_retry_time')).toBe(false);
    expect(await migrateDown(orm)).toEqual(['DayKeyedGinIndexes_20261203']);
    expect((await indexesOf(db, 'ff_events')).get('idx_ff_events_tags_gin')?.def).toMatch(
      /gin \(tenant_id, event_tags\) WHERE is_valid/,
    );
    expect(await migrateDown(orm)).toEqual(['AddDescriptionPrefixes_20261206']);
    expect(await tableExists(db, 'ff_description_prefixes')).toBe(false);
    expect(await migrateDown(orm)).toEqual(['AddFailedListIndex_20261206']);
    expect((await indexesOf(db, 'ff_events')).has('idx_ff_events_tenant_failed_due')).toBe(false);
    expect(await migrateDown(orm)).toEqual(['AddDescriptionTrigramStatistics_20261203']);
    expect(await statisticsExist(db, 'ff_events_description_trigrams')).toBe(false);

    const daily = `select coalesce(sum(events), 0)::int as events from ff_event_stats_daily
      where tenant_id = 't'`;
    expect((await db.query<{ events: number }>(daily)).rows).toEqual([{ events: 1 }]);
    expect(await migrateDown(orm)).toEqual(['AddDailyStatistics_20261125']);
    expect(await tableExists(db, 'ff_event_stats_daily')).toBe(false);
    // The hourly tier's triggers are back as they were: writes still count, in hours only.
    await db.query(`insert into ff_events (event_id, event_type, event_timestamp, aggregate_id,
      aggregate_type, event_data, tenant_id) values ('populated-2', 'T', now(), 1, 'A', '{}', 't')`);
    const hourly = `select sum(events)::int as events from ff_event_stats where tenant_id = 't'`;
    expect((await db.query<{ events: number }>(hourly)).rows).toEqual([{ events: 2 }]);
    // Hours cut by a writer half an hour off UTC (as the hourly tier's triggers did in such a
    // session) are counted again; then the daily tier starts from every stored event.
    await db.query(`update ff_event_stats set hour = hour + interval '30 minutes'`);
    expect(await migrateUp(orm)).toEqual([
      'AddDailyStatistics_20261125',
      'AddDescriptionTrigramStatistics_20261203',
      'DayKeyedGinIndexes_20261203',
      'AddRetryPageIndex_20261204',
      'TenantKeyedDescriptionIndex_20261206',
      'AddFailedListIndex_20261206',
      'AddDescriptionPrefixes_20261206',
    ]);
    expect((await db.query<{ events: number }>(daily)).rows).toEqual([{ events: 2 }]);
    const misaligned = `select count(*)::int as n from ff_event_stats
      where hour <> date_trunc('hour', hour, 'UTC')`;
    expect((await db.query<{ n: number }>(misaligned)).rows).toEqual([{ n: 0 }]);
    expect((await db.query<{ events: number }>(hourly)).rows).toEqual([{ events: 2 }]);
    expect(await migrateDown(orm)).toEqual(['AddDescriptionPrefixes_20261206']);
    expect(await migrateDown(orm)).toEqual(['AddFailedListIndex_20261206']);
    expect(await migrateDown(orm)).toEqual(['TenantKeyedDescriptionIndex_20261206']);
    expect(await migrateDown(orm)).toEqual(['AddRetryPageIndex_20261204']);
    expect(await migrateDown(orm)).toEqual(['DayKeyedGinIndexes_20261203']);
    expect(await migrateDown(orm)).toEqual(['AddDescriptionTrigramStatistics_20261203']);
    expect(await migrateDown(orm)).toEqual(['AddDailyStatistics_20261125']);
    expect(await migrateDown(orm)).toEqual(['AddRetrySelections_20261125']);
    expect(await tableExists(db, 'ff_retry_selections')).toBe(false);
    expect(await migrateDown(orm)).toEqual(['AddStatisticsRollups_20261125']);
    expect(await tableExists(db, 'ff_event_stats')).toBe(false);
    expect(await migrateDown(orm)).toEqual(['AddEventStream_20261125']);
    expect((await columnsOf(db, 'ff_events')).map(([name]) => name)).not.toContain('tx_id');
    expect(await tableExists(db, 'ff_event_subscriptions')).toBe(false);
    expect(await migrateDown(orm)).toEqual(['TenantScopedIndexes_20261124']);
    expect((await indexesOf(db, 'ff_events')).get('idx_ff_events_retry')?.def).toMatch(
      /\(next_retry_at, process_count\) WHERE/,
    );
    expect(await migrateDown(orm)).toEqual(['AddPurgeIndex_20261124']);
    expect((await indexesOf(db, 'ff_events')).has('idx_ff_events_purge')).toBe(false);
    expect(await migrateDown(orm)).toEqual(['CreateEventsTable_20241220']);
    expect(await tableExists(db, 'ff_events')).toBe(false);
    expect(await tableExists(db, 'ff_stage_completion_log')).toBe(false);

    expect(await migrateUp(orm)).toEqual(ALL_MIGRATIONS);
    expect(await columnsOf(db, 'ff_events')).toEqual(FF_EVENTS_COLUMNS);
    // The 13 named indexes, the primary key, the purge, keyword and two stream indexes.
    expect((await indexesOf(db, 'ff_events')).size).toBe(FF_EVENTS_INDEXES.length + 5);
  });
});
