import { Injectable } from '@nestjs/common';
import { BoundSql, SqlPool } from '../../database/sql.js';
import { Clock } from '../../common/clock.js';
import { EventStatus } from '../entities/event-status.js';
import type { EventRow } from '../event-row.js';
import { SORT_COLUMNS, type EventPage, type EventQuery, type SortOrder } from './event-query.js';
import type { ReadScope } from './read-scope.js';
import { ScopedWhere } from './scoped-where.js';

const DAY_MS = 86_400_000;

/**
 * The reads of SPEC §5. Every one starts from a ScopedWhere, so it sees one tenant's valid rows
 * (or, for an operator who asks, its soft-deleted ones too) and nothing else, and every one is
 * bounded by a LIMIT. Each filter is written so that an index of the migration serves it: the
 * (tenant_id, event_type, event_timestamp) index for by-type, the aggregate index for by-aggregate,
 * the GIN indexes for tags and data (`@>` is the operator both GIN opclasses support).
 */
@Injectable()
export class EventQueries {
  constructor(
    private readonly db: SqlPool,
    private readonly clock: Clock,
  ) {}

  async byEventId(scope: ReadScope, eventId: string): Promise<EventRow | undefined> {
    const where = new ScopedWhere(scope).and('event_id = ?', eventId);
    const [row] = await this.select(`select * from ff_events ${where.sql}`, where.params);
    return row;
  }

  /** Newest first, within the last `days` days. */
  byType(scope: ReadScope, eventType: string, days: number, limit: number): Promise<EventRow[]> {
    const where = new ScopedWhere(scope)
      .and('event_type = ?', eventType)
      .and('event_timestamp >= ?', this.daysAgo(days));
    return this.select(
      `select * from ff_events ${where.sql} order by event_timestamp desc, id desc limit ?`,
      [...where.params, limit],
    );
  }

  /** Newest first, or in replay order (oldest first) with order asc. */
  byAggregate(
    scope: ReadScope,
    aggregateType: string,
    aggregateId: string,
    order: SortOrder,
    limit: number,
  ): Promise<EventRow[]> {
    const where = new ScopedWhere(scope)
      .and('aggregate_id = ?', aggregateId)
      .and('aggregate_type = ?', aggregateType);
    return this.select(
      `select * from ff_events ${where.sql}
       order by event_timestamp ${order}, id ${order} limit ?`,
      [...where.params, limit],
    );
  }

  /** Failed events whose next retry is due, the longest-waiting first. */
  failedDueForRetry(scope: ReadScope, limit: number): Promise<EventRow[]> {
    const where = new ScopedWhere(scope)
      .and('event_status = ?', EventStatus.Failed)
      .and('requires_retry')
      .and('next_retry_at <= ?', this.clock.now());
    return this.select(`select * from ff_events ${where.sql} order by next_retry_at, id limit ?`, [
      ...where.params,
      limit,
    ]);
  }

  /** One page and the exact number of matching rows. */
  async page(scope: ReadScope, query: EventQuery): Promise<EventPage<EventRow>> {
    const statements = pageStatements(scope, query, this.clock.now());
    const [items, [{ total }]] = await Promise.all([
      this.select(statements.page.sql, statements.page.params),
      new BoundSql(statements.count.sql).run<{ total: number }>(this.db, statements.count.params),
    ]);
    return {
      items,
      total,
      pageIndex: query.pageIndex,
      pageSize: query.pageSize,
      totalPages: Math.ceil(total / query.pageSize),
    };
  }

  private daysAgo(days: number): Date {
    return daysBefore(this.clock.now(), days);
  }

  private select(sql: string, params: unknown[]): Promise<EventRow[]> {
    return new BoundSql(sql).run<EventRow>(this.db, params);
  }
}

export interface Statement {
  readonly sql: string;
  readonly params: unknown[];
}

/**
 * The two statements of a paged query, exactly as run: kept apart from the service so that a test
 * can EXPLAIN them and see which indexes serve each filter.
 */
export function pageStatements(
  scope: ReadScope,
  query: EventQuery,
  now: Date,
): { page: Statement; count: Statement } {
  const where = new ScopedWhere(scope)
    .andIf(query.eventId, 'event_id = ?')
    .andIf(query.eventType, 'event_type = ?')
    .andIf(query.eventStatus, 'event_status = ?')
    .andIf(query.eventSource, 'event_source = ?')
    .andIf(query.aggregateId, 'aggregate_id = ?')
    .andIf(query.aggregateType, 'aggregate_type = ?')
    .andIf(query.relatedEntityId, 'related_entity_id = ?')
    .andIf(query.relatedEntityType, 'related_entity_type = ?')
    .andIf(query.startDate, 'event_timestamp >= ?')
    .andIf(query.endDate, 'event_timestamp <= ?')
    .andIf(query.days, 'event_timestamp >= ?', (days) => daysBefore(now, days))
    .andIf(query.tags, 'event_tags @> ?::jsonb', (tags) => JSON.stringify(tags))
    .andIf(query.data, 'event_data @> ?::jsonb', (data) => JSON.stringify(data))
    .andIf(query.requiresRetry, 'requires_retry = ?')
    .andIf(query.keyword, 'event_description ilike ?', (keyword) => `%${escapeLike(keyword)}%`);
  const column = SORT_COLUMNS[query.sortField];
  const order = query.sortOrder;
  // id breaks ties so that rows never move between pages of the same query.
  const orderBy = column === 'id' ? `id ${order}` : `${column} ${order}, id ${order}`;
  const paging = [query.pageSize, (query.pageIndex - 1) * query.pageSize];
  const count = {
    sql: `select count(*)::float8 as total from ff_events ${where.sql}`,
    params: where.params,
  };
  if (query.tags === undefined && query.data === undefined) {
    return {
      page: {
        sql: `select * from ff_events ${where.sql} order by ${orderBy} limit ? offset ?`,
        params: [...where.params, ...paging],
      },
      count,
    };
  }
  // PostgreSQL keeps no statistics on what jsonb values contain, so with ORDER BY ... LIMIT it may
  // walk a timestamp index hoping to meet 20 matches early; for a rare tag or value that walk
  // reads the whole table. Materialising the matches (ids and sort keys only) first lets the GIN
  // index find them, and costs about what the exact count costs, which has to find them all.
  return {
    page: {
      sql: `with matched as materialized (
              select id, ${column} as sort_key from ff_events ${where.sql}
            ), page as (
              select id, sort_key from matched
              order by sort_key ${order}, id ${order} limit ? offset ?
            )
            select e.* from page join ff_events as e on e.id = page.id
            order by page.sort_key ${order}, page.id ${order}`,
      params: [...where.params, ...paging],
    },
    count,
  };
}

function daysBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY_MS);
}

/** The keyword is matched literally: %, _ and the escape character lose their LIKE meaning. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
