/**
 * The SQL of the statistics rollups, in one place: the triggers, the migrations that install them
 * and the rebuild (npm run stats:rebuild) count a row the same way.
 *
 * A row counts while valid, in the bucket of its tenant, event time, type, source, status and
 * deadness (Failed with no retry left). Its processing time is processingInfo.durationMs of an
 * event that ran handlers and finished (Processed or Failed); the histogram bucket of a time t ms
 * is floor(4 * log2 t), clamped to [-40, 100]: buckets about 19% wide.
 *
 * The same counts are kept at two grains (tiers): per hour (AddStatisticsRollups_20261125) and per
 * UTC day (AddDailyStatistics_20261125). A window of N days reads the hours of its first, partial
 * day and the days after it: about N + 24 buckets per group instead of 24 N.
 */
export interface RollupTier {
  readonly counts: string;
  readonly durations: string;
  /** The tier's key column, and its value for an event time. */
  readonly column: 'hour' | 'day';
  readonly of: (timestamp: string) => string;
}

export const HOURLY: RollupTier = {
  counts: 'ff_event_stats',
  durations: 'ff_event_stats_durations',
  column: 'hour',
  // UTC whatever the session's time zone: a zone half an hour off would cut other hours.
  of: (timestamp) => `date_trunc('hour', ${timestamp}, 'UTC')`,
};

export const DAILY: RollupTier = {
  counts: 'ff_event_stats_daily',
  durations: 'ff_event_stats_durations_daily',
  column: 'day',
  of: (timestamp) => `(${timestamp} at time zone 'UTC')::date`,
};

/** Every tier the current schema keeps. */
export const ALL_TIERS: readonly RollupTier[] = [HOURLY, DAILY];

const WITH_DURATION = (rows: string) => `(
  select r.*, case when r.event_status in ('Processed', 'Failed')
      and r.event_metadata -> 'handlers' <> '{}'::jsonb
    then (r.event_metadata #>> '{processingInfo,durationMs}')::double precision end as duration_ms
  from (${rows}) as r)`;

const BUCKET = `least(greatest(floor(4 * log(2, greatest(d.duration_ms, 0.001)::numeric)), -40), 100)::smallint`;

const COUNTS = (tier: RollupTier, rows: string) => `
  insert into ${tier.counts} as s (tenant_id, ${tier.column}, event_type, event_source,
    event_status, dead, events, retries, timed, duration_ms_sum)
  select d.tenant_id, ${tier.of('d.event_timestamp')}, d.event_type, d.event_source,
    d.event_status, d.event_status = 'Failed' and not d.requires_retry, sum(d.sign),
    sum(d.sign * greatest(d.process_count - 1, 0)),
    sum(d.sign * (d.duration_ms is not null)::int),
    coalesce(sum(d.sign * d.duration_ms), 0)
  from ${WITH_DURATION(rows)} as d
  group by 1, 2, 3, 4, 5, 6
  order by 1, 2, 3, 4, 5, 6`;

const HISTOGRAM = (tier: RollupTier, rows: string) => `
  insert into ${tier.durations} as h (tenant_id, ${tier.column}, event_type, bucket, events)
  select d.tenant_id, ${tier.of('d.event_timestamp')}, d.event_type, ${BUCKET}, sum(d.sign)
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

/** The transition tables each trigger reads its deltas from (see TRIGGER_DELTAS). */
export const TRANSITION_TABLES: Record<keyof typeof TRIGGER_DELTAS, string> = {
  insert: 'new table as new_rows',
  update: 'old table as old_rows new table as new_rows',
  delete: 'old table as old_rows',
};

/**
 * A trigger's body: the statement's deltas summed per bucket and upserted in key order, tier after
 * tier, so that two statements touching the same buckets lock them in the same order (no
 * deadlock) and concurrent upserts of a bucket serialise on its row (exact).
 */
export function triggerUpserts(rows: string, tiers: readonly RollupTier[]): string {
  return tiers
    .map(
      (tier) => `${COUNTS(tier, rows)}
    on conflict (tenant_id, ${tier.column}, event_type, event_source, event_status, dead) do update
    set events = s.events + excluded.events, retries = s.retries + excluded.retries,
        timed = s.timed + excluded.timed,
        duration_ms_sum = s.duration_ms_sum + excluded.duration_ms_sum;
    ${HISTOGRAM(tier, rows)}
    on conflict (tenant_id, ${tier.column}, event_type, bucket) do update
    set events = h.events + excluded.events;`,
    )
    .join('\n');
}

/**
 * The bodies of the three trigger functions for these tiers. Replacing a function's body changes
 * what its trigger does without touching ff_events: dropping and creating a trigger would lock the
 * table against reads too (ACCESS EXCLUSIVE) until the migration commits.
 */
export function triggerFunctions(tiers: readonly RollupTier[]): string[] {
  return Object.entries(TRIGGER_DELTAS).map(
    ([operation, rows]) => `create or replace function ff_events_stats_${operation}()
      returns trigger language plpgsql as $$ begin ${triggerUpserts(rows, tiers)} return null; end $$`,
  );
}

/** Installs the three statement-level triggers that keep these tiers, with their functions. */
export function triggerStatements(tiers: readonly RollupTier[]): string[] {
  return [
    ...triggerFunctions(tiers),
    ...Object.keys(TRIGGER_DELTAS).map(
      (operation) => `create trigger ff_events_stats_${operation} after ${operation} on ff_events
        referencing ${TRANSITION_TABLES[operation as keyof typeof TRIGGER_DELTAS]}
        for each statement execute function ff_events_stats_${operation}()`,
    ),
  ];
}

/**
 * The daily tier summed from the hourly one, which is exact: seconds where a recount of ff_events
 * takes minutes at ten million events, while writers wait (AddDailyStatistics_20261125).
 */
export const DAILY_FROM_HOURLY = [
  `insert into ${DAILY.counts} (tenant_id, day, event_type, event_source, event_status, dead,
     events, retries, timed, duration_ms_sum)
   select tenant_id, (hour at time zone 'UTC')::date, event_type, event_source, event_status, dead,
     sum(events), sum(retries), sum(timed), sum(duration_ms_sum)
   from ${HOURLY.counts} group by 1, 2, 3, 4, 5, 6`,
  `insert into ${DAILY.durations} (tenant_id, day, event_type, bucket, events)
   select tenant_id, (hour at time zone 'UTC')::date, event_type, bucket, sum(events)
   from ${HOURLY.durations} group by 1, 2, 3, 4`,
];

/**
 * Counts every valid row from scratch into these tiers: run in one transaction that keeps writers
 * out (SHARE lock on ff_events).
 */
export function rebuildStatements(tiers: readonly RollupTier[]): string[] {
  const everyRow = 'select 1 as sign, * from ff_events where is_valid';
  return tiers.flatMap((tier) => [
    `delete from ${tier.counts}`,
    `delete from ${tier.durations}`,
    COUNTS(tier, everyRow),
    HISTOGRAM(tier, everyRow),
  ]);
}
