import type { EventQuery } from './event-query.js';
import type { ReadScope } from './read-scope.js';
import { rollupFilters } from './rollup-page.js';
import type { Statement } from './event.queries.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * The total of a page bounded in time (startDate, endDate, days) whose other filters the
 * statistics rollups carry, from the rollups rather than from a count of ff_events: a count of a
 * day of a tenant's events at ten million visits every one of them in the heap (the count bounded
 * at 101 visited 209 cold pages: median 56 ms, p99 109). The events of the whole hours inside the
 * bounds are exact from the buckets (the whole days' from the day buckets, so that 90 days cost 90
 * rows, not 2,160). Bounds inside an hour leave up to two edges, the parts of the hours they cut:
 * what the edges hold is counted from ff_events when their buckets, in proportion to the part the
 * bounds take, say at most a count's worth (then the total is exact), and otherwise taken as that
 * proportion of their buckets (an estimate: totalIsExact false).
 */
export interface RollupSpan {
  /** The rollup WHERE clause of the other filters. */
  readonly filters: Statement;
  /** The whole UTC days inside the bounds, [from, to): their first instants, or ±infinity. */
  readonly days: readonly [Instant, Instant];
  /** The whole hours inside the bounds outside those days: up to two ranges [from, to). */
  readonly hours: readonly (readonly [Instant, Instant])[];
  /** The parts of hours the bounds cut. */
  readonly edges: readonly SpanEdge[];
}

/**
 * A time, sent as node-postgres sends a Date: an ISO string would fail for the years PostgreSQL
 * writes otherwise (ISO's year 0 is its 1 BC, and years past 9999 take no sign), or ±infinity.
 */
type Instant = Date | 'infinity' | '-infinity';

/** Events from `from` up to `to` (inclusive when `toIncluded`), a `share` of the hour `hour`. */
export interface SpanEdge {
  readonly from: Date;
  readonly to: Date;
  readonly toIncluded: boolean;
  readonly hour: Date;
  readonly share: number;
}

/** The span of a query bounded in time whose other filters the rollups carry; else undefined. */
export function rollupSpan(scope: ReadScope, query: EventQuery, now: Date): RollupSpan | undefined {
  const { startDate, endDate, days, ...others } = query;
  if (startDate === undefined && endDate === undefined && days === undefined) return undefined;
  const filters = rollupFilters(scope, others);
  if (!filters) return undefined;
  const starts = [
    startDate?.getTime(),
    days === undefined ? undefined : now.getTime() - days * DAY_MS,
  ];
  const given = starts.filter((start): start is number => start !== undefined);
  const from = given.length > 0 ? Math.max(...given) : -Infinity;
  const to = endDate?.getTime() ?? Infinity;
  return { filters, ...split(from, to) };
}

/** The whole days, whole hours and edges of [from, to] (either may be infinite). */
function split(from: number, to: number): Omit<RollupSpan, 'filters'> {
  const none = { days: ['infinity', 'infinity'] as const, hours: [] };
  if (from > to) return { ...none, edges: [] };
  const start = ceilTo(from, HOUR_MS);
  const end = floorTo(to, HOUR_MS);
  if (start > end) {
    // Both bounds inside one hour.
    const hour = floorTo(from, HOUR_MS);
    return { ...none, edges: [edge(from, to, true, hour)] };
  }
  const edges: SpanEdge[] = [];
  if (from < start) edges.push(edge(from, start, false, start - HOUR_MS));
  // Events at `end` itself (to on the hour) are in the hour `end` begins: an edge too.
  if (Number.isFinite(to)) edges.push(edge(end, to, true, end));
  const dayStart = ceilTo(start, DAY_MS);
  const dayEnd = floorTo(end, DAY_MS);
  if (dayStart >= dayEnd) return { ...none, hours: [[instant(start), instant(end)]], edges };
  return {
    days: [instant(dayStart), instant(dayEnd)],
    hours: [
      [instant(start), instant(dayStart)],
      [instant(dayEnd), instant(end)],
    ],
    edges,
  };
}

function edge(from: number, to: number, toIncluded: boolean, hour: number): SpanEdge {
  return {
    from: new Date(from),
    to: new Date(to),
    toIncluded,
    hour: new Date(hour),
    share: (to - from) / HOUR_MS,
  };
}

/** The events of the whole days and hours, and each edge's hour bucket, in the edges' order. */
export function rollupSpanStatement(span: RollupSpan): Statement {
  const { sql: where, params } = span.filters;
  const sum = (table: string, range: string) =>
    `(select coalesce(sum(events), 0) from ${table} ${where} and ${range})`;
  const ranges = [
    {
      sql: sum(
        'ff_event_stats_daily',
        `day >= (?::timestamptz at time zone 'UTC')::date
          and day < (?::timestamptz at time zone 'UTC')::date`,
      ),
      params: span.days,
    },
    ...span.hours.map((hours) => ({
      sql: sum('ff_event_stats', 'hour >= ?::timestamptz and hour < ?::timestamptz'),
      params: hours,
    })),
  ];
  return {
    sql: `select (${ranges.map((range) => range.sql).join(' + ')})::float8 as whole,
            array[${span.edges.map(() => sum('ff_event_stats', 'hour = ?::timestamptz')).join(', ')}]::float8[]
              as edges`,
    params: [
      ...ranges.flatMap((range) => [...params, ...range.params]),
      ...span.edges.flatMap((edge) => [...params, edge.hour]),
    ],
  };
}

const floorTo = (time: number, unit: number) =>
  Number.isFinite(time) ? Math.floor(time / unit) * unit : time;
const ceilTo = (time: number, unit: number) =>
  Number.isFinite(time) ? Math.ceil(time / unit) * unit : time;

function instant(time: number): Instant {
  if (Number.isFinite(time)) return new Date(time);
  return time < 0 ? '-infinity' : 'infinity';
}
