import { Inject, Injectable } from '@nestjs/common';
import { ReadPool } from '../../database/read-pool.js';
import { BoundSql, type SqlExecutor } from '../../database/sql.js';
import { Clock } from '../../common/clock.js';
import { EventStatus } from '../entities/event-status.js';
import type { ReadScope } from './read-scope.js';

const DAY_MS = 86_400_000;
/** Lists of types and sources are bounded; the largest groups are kept. */
export const STATISTICS_GROUP_LIMIT = 100;

export interface TypeStatistics {
  readonly eventType: string;
  readonly total: number;
  readonly processed: number;
  readonly failed: number;
  readonly dead: number;
  readonly averageProcessingMs: number | null;
  readonly p95ProcessingMs: number | null;
}

export interface EventStatistics {
  readonly days: number;
  readonly from: string;
  readonly to: string;
  readonly total: number;
  readonly byStatus: Record<EventStatus, number>;
  readonly byType: TypeStatistics[];
  readonly bySource: { eventSource: string; total: number }[];
  readonly byDay: { day: string; total: number; processed: number; failed: number }[];
  /** Processed / total; 0 when there are no events. */
  readonly successRate: number;
  /** Failed (retrying or dead) / total; 0 when there are no events. */
  readonly errorRate: number;
  /** Attempts beyond the first, summed over the events. */
  readonly retriesMade: number;
  /** Failed with no retry left (requires_retry false). */
  readonly deadEvents: number;
  /** Over events that ran processing handlers and finished (Processed or Failed). */
  readonly processingTimeMs: { readonly average: number | null; readonly p95: number | null };
  /** Whole tables, all tenants: what the database holds, indexes and TOAST included. */
  readonly storage: {
    readonly eventsTableBytes: number;
    readonly legacyLogTableBytes: number;
    readonly totalBytes: number;
  };
}

interface GroupRow {
  /** grouping() bitmask over (status, type, source, day): which set the row belongs to. */
  set: number;
  event_status: EventStatus | null;
  event_type: string | null;
  event_source: string | null;
  day: string | null;
  total: number;
  processed: number;
  failed: number;
  dead: number;
  retries: number;
  avg_ms: number | null;
  p95_ms: number | null;
}

interface DurationRow {
  /** grouping(event_type): 1 for the histogram of all types, 0 for one type's. */
  overall: number;
  event_type: string | null;
  bucket: number;
  events: number;
}

// grouping(event_status, event_type, event_source, day) sets a bit for each column NOT grouped.
const BY_STATUS = 0b0111;
const BY_TYPE = 0b1011;
const BY_SOURCE = 0b1101;
const BY_DAY = 0b1110;
const OVERALL = 0b1111;

/**
 * Every figure of SPEC §5 from the rollups PostgreSQL keeps with the events (see
 * sql/statistics-rollup.ts): a tenant's window costs its buckets, not its events, however many
 * there are. The window's first, partial day is read from the hourly tier and every day after it
 * from the daily tier, so 90 days are about 114 buckets per group rather than 2,160. GROUPING SETS
 * sums the per-status, per-type, per-source, per-day and overall groups in one pass; a second
 * statement reads the processing-time histogram for the p95s, a third the table sizes.
 */
const GROUPS = new BoundSql(`
  select grouping(event_status, event_type, event_source, day) as set,
    event_status, event_type, event_source, day,
    sum(events)::float8 as total,
    coalesce(sum(events) filter (where event_status = 'Processed'), 0)::float8 as processed,
    coalesce(sum(events) filter (where event_status = 'Failed'), 0)::float8 as failed,
    coalesce(sum(events) filter (where dead), 0)::float8 as dead,
    sum(retries)::float8 as retries,
    sum(duration_ms_sum) / nullif(sum(timed), 0) as avg_ms
  from (
    select event_status, event_type, event_source, dead, events, retries, timed,
      duration_ms_sum, (hour at time zone 'UTC')::date::text as day
    from ff_event_stats where tenant_id = ? and hour >= ? and hour < ?
    union all
    select event_status, event_type, event_source, dead, events, retries, timed,
      duration_ms_sum, day::text
    from ff_event_stats_daily where tenant_id = ? and day >= ?::date
  ) as windowed
  group by grouping sets ((event_status), (event_type), (event_source), (day), ())`);

const DURATIONS = new BoundSql(`
  select grouping(event_type) as overall, event_type, bucket, sum(events)::float8 as events
  from (
    select event_type, bucket, events from ff_event_stats_durations
    where tenant_id = ? and hour >= ? and hour < ?
    union all
    select event_type, bucket, events from ff_event_stats_durations_daily
    where tenant_id = ? and day >= ?::date
  ) as windowed
  group by grouping sets ((event_type, bucket), (bucket))
  having sum(events) > 0`);

const TABLE_SIZES = new BoundSql(`
  select pg_total_relation_size('ff_events')::float8 as events,
    pg_total_relation_size('ff_stage_completion_log')::float8 as legacy`);

@Injectable()
export class EventStatisticsQuery {
  constructor(
    @Inject(ReadPool) private readonly db: SqlExecutor,
    private readonly clock: Clock,
  ) {}

  /**
   * The window is whole hours of event time: from the start of the hour `days` days ago, through
   * now. Soft-deleted events are not counted (as in every read).
   */
  async compute(scope: ReadScope, days: number): Promise<EventStatistics> {
    const to = this.clock.now();
    const from = startOfHour(new Date(to.getTime() - days * DAY_MS));
    const firstWholeDay = startOfNextDay(from);
    const params = [
      scope.tenantId,
      from,
      firstWholeDay,
      scope.tenantId,
      firstWholeDay.toISOString().slice(0, 10),
    ];
    const [groups, durations, [sizes]] = await Promise.all([
      GROUPS.run<GroupRow>(this.db, params),
      DURATIONS.run<DurationRow>(this.db, params),
      TABLE_SIZES.run<{ events: number; legacy: number }>(this.db, []),
    ]);
    const p95 = p95s(durations);
    for (const row of groups) {
      row.p95_ms = row.set === OVERALL ? (p95.get(null) ?? null) : null;
      if (row.set === BY_TYPE) row.p95_ms = p95.get(row.event_type) ?? null;
    }
    return this.assemble(groups, sizes, days, from, to);
  }

  private assemble(
    groups: GroupRow[],
    sizes: { events: number; legacy: number },
    days: number,
    from: Date,
    to: Date,
  ): EventStatistics {
    // Buckets emptied by updates and deletes stay as rows with zero events: not shown.
    const inSet = (set: number) =>
      groups.filter((row) => row.set === set && (set === OVERALL || row.total !== 0));
    const overall = inSet(OVERALL)[0];
    const total = overall?.total ?? 0;
    const byStatus = Object.fromEntries(
      Object.values(EventStatus).map((status) => [status, 0]),
    ) as Record<EventStatus, number>;
    for (const row of inSet(BY_STATUS)) {
      if (row.event_status) byStatus[row.event_status] = row.total;
    }
    const largestFirst = (a: GroupRow, b: GroupRow) => b.total - a.total;
    return {
      days,
      from: from.toISOString(),
      to: to.toISOString(),
      total,
      byStatus,
      byType: inSet(BY_TYPE)
        .sort(largestFirst)
        .slice(0, STATISTICS_GROUP_LIMIT)
        .map((row) => ({
          eventType: row.event_type ?? '',
          total: row.total,
          processed: row.processed,
          failed: row.failed,
          dead: row.dead,
          averageProcessingMs: round(row.avg_ms),
          p95ProcessingMs: round(row.p95_ms),
        })),
      bySource: inSet(BY_SOURCE)
        .sort(largestFirst)
        .slice(0, STATISTICS_GROUP_LIMIT)
        .map((row) => ({ eventSource: row.event_source ?? '', total: row.total })),
      byDay: inSet(BY_DAY)
        .map((row) => ({
          day: row.day ?? '',
          total: row.total,
          processed: row.processed,
          failed: row.failed,
        }))
        .sort((a, b) => a.day.localeCompare(b.day)),
      successRate: ratio(overall?.processed ?? 0, total),
      errorRate: ratio(overall?.failed ?? 0, total),
      retriesMade: overall?.retries ?? 0,
      deadEvents: overall?.dead ?? 0,
      processingTimeMs: { average: round(overall?.avg_ms), p95: round(overall?.p95_ms) },
      storage: {
        eventsTableBytes: sizes.events,
        legacyLogTableBytes: sizes.legacy,
        totalBytes: sizes.events + sizes.legacy,
      },
    };
  }
}

function startOfHour(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 3_600_000) * 3_600_000);
}

/** The date itself when it is a UTC midnight, else the next one. */
function startOfNextDay(date: Date): Date {
  return new Date(Math.ceil(date.getTime() / DAY_MS) * DAY_MS);
}

/**
 * The 95th percentile of each type's processing times (and overall, under null) from the
 * histogram: the bucket where 95% of the events are reached, interpolated geometrically within
 * it. Bucket k holds times from 2^(k/4) to 2^((k+1)/4) ms, so the result is within about 19%.
 */
function p95s(rows: readonly DurationRow[]): Map<string | null, number> {
  const byKey = new Map<string | null, DurationRow[]>();
  for (const row of rows) {
    const key = row.overall === 1 ? null : row.event_type;
    byKey.set(key, [...(byKey.get(key) ?? []), row]);
  }
  const result = new Map<string | null, number>();
  for (const [key, buckets] of byKey) {
    buckets.sort((a, b) => a.bucket - b.bucket);
    const total = buckets.reduce((sum, b) => sum + b.events, 0);
    const target = 0.95 * total;
    let below = 0;
    for (const { bucket, events } of buckets) {
      if (below + events >= target) {
        const fraction = events === 0 ? 0 : (target - below) / events;
        result.set(key, 2 ** ((bucket + fraction) / 4));
        break;
      }
      below += events;
    }
  }
  return result;
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;
}

function round(value: number | null | undefined): number | null {
  return value == null ? null : Math.round(value * 100) / 100;
}
