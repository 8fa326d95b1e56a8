import type { EventQuery } from './event-query.js';
import type { ReadScope } from './read-scope.js';
import type { Statement } from './event.queries.js';

/**
 * Paging helped by the statistics rollups (sql/statistics-rollup.ts), which count a tenant's valid
 * events per type, source and status, per UTC day and per hour, exactly and in the same
 * transaction as each write. A page whose filters are only those columns needs no count of
 * ff_events: its total is a sum of day buckets, exact however many events match (a few thousand
 * buckets for 90 days), and a deep pageIndex sorted by event time starts from the hour its offset
 * falls in rather than skipping every event before it.
 *
 * Soft-deleted rows are not in the rollups, so an operator's includeDeleted read counts the table.
 */
const COLUMNS = {
  eventType: 'event_type',
  eventStatus: 'event_status',
  eventSource: 'event_source',
} as const;

/** The filters of a query other than the rollups' columns, and what paging itself carries. */
const PAGING_KEYS = new Set(['pageIndex', 'pageSize', 'sortField', 'sortOrder', 'cursor']);

/** The rollup WHERE clause of a query whose filters the rollups carry; undefined otherwise. */
export function rollupFilters(scope: ReadScope, query: EventQuery): Statement | undefined {
  if (scope.includeDeleted) return undefined;
  const clauses = ['tenant_id = ?'];
  const params: unknown[] = [scope.tenantId];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || PAGING_KEYS.has(key)) continue;
    if (!Object.hasOwn(COLUMNS, key)) return undefined;
    clauses.push(`${COLUMNS[key as keyof typeof COLUMNS]} = ?`);
    params.push(value);
  }
  return { sql: `where ${clauses.join(' and ')}`, params };
}

/** The exact number of matching events, from the day buckets. */
export function rollupTotal(filters: Statement): Statement {
  return {
    sql: `select coalesce(sum(events), 0)::float8 as matches
          from ff_event_stats_daily ${filters.sql}`,
    params: filters.params,
  };
}

/** The matching events, and the UTC days that hold any: how many a day holds on average. */
export function rollupDensity(filters: Statement): Statement {
  return {
    sql: `select coalesce(sum(events), 0)::float8 as matches, count(distinct day)::int as days
          from ff_event_stats_daily ${filters.sql}`,
    params: filters.params,
  };
}

/**
 * The hour in which the offset-th matching event lies, in the page's order of event time, and how
 * many matching events come before that hour. Running sums find the day first, over the day
 * buckets, then the hour within that day, over its hour buckets: a few thousand buckets whatever
 * the offset or the number of events. (One running sum over every hour read all of a tenant's
 * 45,000 hour buckets at 90 days: PostgreSQL does not stop a window aggregate early.)
 */
export function offsetAnchor(filters: Statement, order: 'asc' | 'desc', offset: number): Statement {
  return {
    sql: `with anchor_day as (
            select day, reached - events as before from (
              select day, sum(events) as events,
                sum(sum(events)) over (order by day ${order}) as reached
              from ff_event_stats_daily ${filters.sql}
              group by day
            ) as days
            where reached > ?
            order by day ${order}
            limit 1
          )
          select hours.hour, (anchor_day.before + hours.reached - hours.events)::float8 as before
          from anchor_day, lateral (
            select hour, sum(events) as events,
              sum(sum(events)) over (order by hour ${order}) as reached
            from ff_event_stats ${filters.sql}
              and hour >= anchor_day.day::timestamp at time zone 'UTC'
              and hour < (anchor_day.day + 1)::timestamp at time zone 'UTC'
            group by hour
          ) as hours
          where anchor_day.before + hours.reached > ?
          order by hours.hour ${order}
          limit 1`,
    params: [...filters.params, offset, ...filters.params, offset],
  };
}

/**
 * The UTC days of the matching events, in the page's order (from the cursor's day, when there is
 * one: a timestamp PostgreSQL reads), each with its number of events, from the day buckets; at
 * most `limit` days.
 */
export function rollupDays(
  filters: Statement,
  order: 'asc' | 'desc',
  from: string | undefined,
  limit: number,
): Statement {
  const start = from
    ? {
        sql: `and day ${order === 'desc' ? '<=' : '>='} (?::timestamptz at time zone 'UTC')::date`,
        params: [from],
      }
    : { sql: '', params: [] };
  return {
    sql: `select day::text as day, sum(events)::float8 as events
          from ff_event_stats_daily ${filters.sql} ${start.sql}
          group by day order by day ${order} limit ?`,
    params: [...filters.params, ...start.params, limit],
  };
}
