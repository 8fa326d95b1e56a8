/**
 * The SQL of the statistics rollups (AddStatisticsRollups_20261125), in one place: the triggers
 * and the rebuild (npm run stats:rebuild) count a row the same way.
 *
 * A row counts while valid, in the bucket of its tenant, event hour, type, source, status and
 * deadness (Failed with no retry left). Its processing time is processingInfo.durationMs of an
 * event that ran handlers and finished (Processed or Failed); the histogram bucket of a time t ms
 * is floor(4 * log2 t), clamped to [-40, 100]: buckets about 19% wide.
 */
const WITH_DURATION = (rows: string) => `(
  select r.*, case when r.event_status in ('Processed', 'Failed')
      and r.event_metadata -> 'handlers' <> '{}'::jsonb
    then (r.event_metadata #>> '{processingInfo,durationMs}')::double precision end as duration_ms
  from (${rows}) as r)`;

const BUCKET = `least(greatest(floor(4 * log(2, greatest(d.duration_ms, 0.001)::numeric)), -40), 100)::smallint`;

const COUNTS = (rows: string) => `
  insert into ff_event_stats as s (tenant_id, hour, event_type, event_source, event_status,
    dead, events, retries, timed, duration_ms_sum)
  select d.tenant_id, date_trunc('hour', d.event_timestamp), d.event_type, d.event_source,
    d.event_status, d.event_status = 'Failed' and not d.requires_retry, sum(d.sign),
    sum(d.sign * greatest(d.process_count - 1, 0)),
    sum(d.sign * (d.duration_ms is not null)::int),
    coalesce(sum(d.sign * d.duration_ms), 0)
  from ${WITH_DURATION(rows)} as d
  group by 1, 2, 3, 4, 5, 6
  order by 1, 2, 3, 4, 5, 6`;

const HISTOGRAM = (rows: string) => `
  insert into ff_event_stats_durations as h (tenant_id, hour, event_type, bucket, events)
  select d.tenant_id, date_trunc('hour', d.event_timestamp), d.event_type, ${BUCKET}, sum(d.sign)
  from ${WITH_DURATION(rows)} as d
  where d.duration_ms is not null
  group by 1, 2, 3, 4
  order by 1, 2, 3, 4`;

/** Each trigger's rows as signed deltas: a valid row counts +1 coming in, -1 going out. */
export const TRIGGER_DELTAS = {
  insert: 'select 1 as sign, * from new_rows where is_valid',
  update: `select -1 as sign, * from old_rows where is_valid
    union all select 1 as sign, * from new_rows where is_valid`,
  delete: 'select -1 as sign, * from old_rows where is_valid',
};

/**
 * A trigger's body: the statement's deltas summed per bucket and upserted in key order, so that
 * two statements touching the same buckets lock them in the same order (no deadlock) and
 * concurrent upserts of a bucket serialise on its row (exact).
 */
export function triggerUpserts(rows: string): string {
  return `${COUNTS(rows)}
    on conflict (tenant_id, hour, event_type, event_source, event_status, dead) do update
    set events = s.events + excluded.events, retries = s.retries + excluded.retries,
        timed = s.timed + excluded.timed,
        duration_ms_sum = s.duration_ms_sum + excluded.duration_ms_sum;
    ${HISTOGRAM(rows)}
    on conflict (tenant_id, hour, event_type, bucket) do update
    set events = h.events + excluded.events;`;
}

/** Counts every valid row from scratch: run in one transaction that keeps writers out. */
export const REBUILD_STATEMENTS = [
  'delete from ff_event_stats',
  'delete from ff_event_stats_durations',
  COUNTS('select 1 as sign, * from ff_events where is_valid'),
  HISTOGRAM('select 1 as sign, * from ff_events where is_valid'),
];
