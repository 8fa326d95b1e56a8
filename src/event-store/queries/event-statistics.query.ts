import { Injectable } from '@nestjs/common';
import { BoundSql, SqlPool } from '../../database/sql.js';
import { Clock } from '../../common/clock.js';
import { EventStatus } from '../entities/event-status.js';
import type { ReadScope } from './read-scope.js';
import { ScopedWhere } from './scoped-where.js';

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

// grouping(event_status, event_type, event_source, day) sets a bit for each column NOT grouped.
const BY_STATUS = 0b0111;
const BY_TYPE = 0b1011;
const BY_SOURCE = 0b1101;
const BY_DAY = 0b1110;
const OVERALL = 0b1111;

/**
 * Every figure of SPEC §5 from one pass over the window's rows: GROUPING SETS computes the
 * per-status, per-type, per-source, per-day and overall groups in a single scan of the tenant's
 * (tenant_id, event_timestamp) index range, instead of one query per figure. The processing time
 * of an event is event_metadata.processingInfo.durationMs (its longest handler run). A second,
 * independent statement reads the table sizes.
 */
const TABLE_SIZES = new BoundSql(`
  select pg_total_relation_size('ff_events')::float8 as events,
    pg_total_relation_size('ff_stage_completion_log')::float8 as legacy`);

@Injectable()
export class EventStatisticsQuery {
  constructor(
    private readonly db: SqlPool,
    private readonly clock: Clock,
  ) {}

  async compute(scope: ReadScope, days: number): Promise<EventStatistics> {
    const to = this.clock.now();
    const from = new Date(to.getTime() - days * DAY_MS);
    const where = new ScopedWhere(scope).and('event_timestamp >= ?', from);
    const [groups, [sizes]] = await Promise.all([
      new BoundSql(
        `select grouping(event_status, event_type, event_source, day) as set,
           event_status, event_type, event_source, day,
           count(*)::float8 as total,
           count(*) filter (where event_status = 'Processed')::float8 as processed,
           count(*) filter (where event_status = 'Failed')::float8 as failed,
           count(*) filter (where event_status = 'Failed' and not requires_retry)::float8 as dead,
           coalesce(sum(greatest(process_count - 1, 0)), 0)::float8 as retries,
           avg(duration_ms)::float8 as avg_ms,
           percentile_cont(0.95) within group (order by duration_ms)::float8 as p95_ms
         from (
           select event_status, event_type, event_source, requires_retry, process_count,
             (event_timestamp at time zone 'UTC')::date::text as day,
             case when event_status in ('Processed', 'Failed')
                   and event_metadata -> 'handlers' <> '{}'::jsonb
               then (event_metadata #>> '{processingInfo,durationMs}')::float8
             end as duration_ms
           from ff_events ${where.sql}
         ) as windowed
         group by grouping sets ((event_status), (event_type), (event_source), (day), ())`,
      ).run<GroupRow>(this.db, where.params),
      TABLE_SIZES.run<{ events: number; legacy: number }>(this.db, []),
    ]);
    return this.assemble(groups, sizes, days, from, to);
  }

  private assemble(
    groups: GroupRow[],
    sizes: { events: number; legacy: number },
    days: number,
    from: Date,
    to: Date,
  ): EventStatistics {
    const inSet = (set: number) => groups.filter((row) => row.set === set);
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

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;
}

function round(value: number | null | undefined): number | null {
  return value == null ? null : Math.round(value * 100) / 100;
}
