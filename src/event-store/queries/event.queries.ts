import { Injectable } from '@nestjs/common';
import type { QueryResultRow } from 'pg';
import { BoundSql, SqlPool } from '../../database/sql.js';
import { Clock } from '../../common/clock.js';
import { EventStatus } from '../entities/event-status.js';
import type { EventRow } from '../event-row.js';
import {
  EXACT_TOTAL_LIMIT,
  MAX_WALKED_EVENTS,
  WALKED_EVENTS_PER_ITEM,
  SORT_COLUMNS,
  type EventPage,
  type EventQuery,
  type SortOrder,
} from './event-query.js';
import { DescriptionTrigramsQuery } from './description-trigrams.query.js';
import { rareTrigrams } from './keyword-trigrams.js';
import { encodePageCursor } from './page-cursor.js';
import { offsetAnchor, rollupFilters, rollupTotal } from './rollup-page.js';
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
    private readonly descriptionTrigrams: DescriptionTrigramsQuery,
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

  /**
   * One page, its total and the cursor of the next. A first page of tags, data or keyword may come
   * from a walk of the newest events (walkedPage). When the rollups carry every filter (see
   * rollup-page.ts) the total is theirs, exact, and a pageIndex page sorted by event time starts
   * at the hour its offset falls in. Otherwise the matches are counted first, up to
   * EXACT_TOTAL_LIMIT (see EventPage); the count also tells how to read the page of a tags or data
   * filter (see pageStatements). pageSize + 1 rows are read to know whether a next page exists.
   */
  async page(scope: ReadScope, query: EventQuery): Promise<EventPage<EventRow>> {
    const now = this.clock.now();
    const rollup = rollupFilters(scope, query);
    const walkable =
      query.sortField === 'eventTimestamp' && query.pageIndex === 1 && checkedFiltersOf(query);
    const base = walkable
      ? rollupFilters(scope, { ...query, tags: undefined, data: undefined, keyword: undefined })
      : undefined;
    const walked = base && (await this.walkedPage(scope, query, now, base));
    if (walked) return walked;
    const trigrams = await this.indexedTrigrams(query);
    const { total, totalIsExact } = rollup
      ? { total: (await this.one<Matches>(rollupTotal(rollup)))?.matches ?? 0, totalIsExact: true }
      : await this.boundedCount(scope, query, now, trigrams);
    const offset = (query.pageIndex - 1) * query.pageSize;
    let anchor: OffsetAnchor | undefined;
    if (rollup && offset > 0 && !query.cursor && query.sortField === 'eventTimestamp') {
      anchor = await this.one<OffsetAnchor>(offsetAnchor(rollup, query.sortOrder, offset));
      if (!anchor) return this.assemble(query, [], total, totalIsExact);
    }
    const page = pageStatements(scope, query, now, { sparse: totalIsExact, anchor, trigrams }).page;
    return this.assemble(query, await this.select(page.sql, page.params), total, totalIsExact);
  }

  /**
   * The first page (or a cursor's) of a tags, data or keyword filter whose other filters the
   * rollups count (see walkStatement). When the walked events hold a whole page, the page is
   * theirs, and the total is the rollups' count of the other filters times the share of walked
   * events that passed: over EXACT_TOTAL_LIMIT, that estimate (totalIsExact false); under it,
   * counted. Undefined when too few passed: the indexes find the page as for any other filter.
   */
  private async walkedPage(
    scope: ReadScope,
    query: EventQuery,
    now: Date,
    base: Statement,
  ): Promise<EventPage<EventRow> | undefined> {
    const budget = Math.min(MAX_WALKED_EVENTS, WALKED_EVENTS_PER_ITEM * (query.pageSize + 1));
    const statement = walkStatement(scope, query, now, budget);
    const result = await new BoundSql(statement.sql).run<WalkedRow>(this.db, statement.params);
    const walked = result[0]?.walk_rows ?? 0;
    const matched = result[0]?.walk_matches ?? 0;
    const exhausted = walked < budget;
    if (!exhausted && matched <= query.pageSize) return undefined;
    const rows = result.filter((row) => row.id !== null);
    if (exhausted && !query.cursor) return this.assemble(query, rows, matched, true);
    // Past the end of a cursor's walk too few events are left to tell the share: counted.
    if (exhausted) return this.countedPage(scope, query, now, rows);
    const others = (await this.one<Matches>(rollupTotal(base)))?.matches ?? 0;
    const estimate = Math.round((others * matched) / walked);
    return estimate > EXACT_TOTAL_LIMIT
      ? this.assemble(query, rows, estimate, false)
      : this.countedPage(scope, query, now, rows);
  }

  private async countedPage(
    scope: ReadScope,
    query: EventQuery,
    now: Date,
    rows: EventRow[],
  ): Promise<EventPage<EventRow>> {
    const trigrams = await this.indexedTrigrams(query);
    const { total, totalIsExact } = await this.boundedCount(scope, query, now, trigrams);
    return this.assemble(query, rows, total, totalIsExact);
  }

  private async boundedCount(
    scope: ReadScope,
    query: EventQuery,
    now: Date,
    trigrams: readonly string[],
  ): Promise<{ total: number; totalIsExact: boolean }> {
    const statement = countStatement(scope, query, now, trigrams);
    const matches = (await this.one<Matches>(statement))?.matches ?? 0;
    return {
      total: Math.min(matches, EXACT_TOTAL_LIMIT),
      totalIsExact: matches <= EXACT_TOTAL_LIMIT,
    };
  }

  private assemble(
    query: EventQuery,
    rows: EventRow[],
    total: number,
    totalIsExact: boolean,
  ): EventPage<EventRow> {
    const items = rows.slice(0, query.pageSize);
    const last = items[items.length - 1];
    const column = SORT_COLUMNS[query.sortField];
    return {
      items,
      total,
      totalIsExact,
      pageIndex: query.pageIndex,
      pageSize: query.pageSize,
      totalPages: Math.ceil(total / query.pageSize),
      nextCursor:
        rows.length > query.pageSize && last
          ? encodePageCursor({
              sortField: query.sortField,
              sortOrder: query.sortOrder,
              value: String((last as unknown as Record<string, unknown>)[`sort_${column}`]),
              id: last.id,
            })
          : null,
    };
  }

  /** The keyword's trigrams to ask the trigram index for (see keyword-trigrams.ts). */
  private async indexedTrigrams(query: EventQuery): Promise<string[]> {
    if (query.keyword === undefined) return [];
    return rareTrigrams(query.keyword, await this.descriptionTrigrams.shares());
  }

  private async one<R extends QueryResultRow>(statement: Statement): Promise<R | undefined> {
    const [row] = await new BoundSql(statement.sql).run<R>(this.db, statement.params);
    return row;
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

type Matches = { matches: number };

/** A row of walkStatement: a page row, or (id null) only the walk's counts. */
type WalkedRow = EventRow & { walk_rows: number; walk_matches: number };

/** Where a pageIndex page starts: the hour of its first event and the events before that hour. */
export type OffsetAnchor = {
  readonly hour: Date;
  readonly before: number;
};

/**
 * The filters of a paged query, every one written so that an index serves it; `trigrams` are the
 * keyword's to ask the trigram index for (rareTrigrams), none for all of them.
 */
function filtersOf(
  scope: ReadScope,
  query: EventQuery,
  now: Date,
  trigrams: readonly string[],
): ScopedWhere {
  const where = baseFiltersOf(scope, query, now);
  const checked = checkedFiltersOf(query, trigrams);
  return checked ? where.and(checked.sql, ...checked.params) : where;
}

/** Every filter but tags, data and keyword: those a btree index serves. */
function baseFiltersOf(scope: ReadScope, query: EventQuery, now: Date): ScopedWhere {
  return new ScopedWhere(scope)
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
    .andIf(query.requiresRetry, 'requires_retry = ?');
}

/**
 * Tags, data and keyword: served by GIN and trigram indexes, which find every match before the
 * first can be returned, or checked row by row along another index. Undefined when none is given.
 * With `trigrams`, the index is asked for the descriptions holding those, and the keyword is
 * checked on the rows it finds.
 */
function checkedFiltersOf(
  query: EventQuery,
  trigrams: readonly string[] = [],
): Statement | undefined {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (query.tags !== undefined) {
    clauses.push('event_tags @> ?::jsonb');
    params.push(JSON.stringify(query.tags));
  }
  if (query.data !== undefined) {
    clauses.push('event_data @> ?::jsonb');
    params.push(JSON.stringify(query.data));
  }
  if (query.keyword !== undefined) {
    for (const trigram of trigrams) {
      clauses.push('event_description ilike ?');
      params.push(`%${trigram}%`);
    }
    // coalesce() is not the indexed expression: with trigrams, the whole keyword is a filter on
    // the rows the index found, rather than more (and commoner) trigrams for the index to read.
    clauses.push(
      trigrams.length > 0 ? `coalesce(event_description, '') ilike ?` : 'event_description ilike ?',
    );
    params.push(`%${escapeLike(query.keyword)}%`);
  }
  return clauses.length === 0 ? undefined : { sql: clauses.join(' and '), params };
}

/**
 * The first `rows` events of the other filters from the page's start (the cursor), in the page's
 * order of event time along the tenant's time index, each checked against tags, data and keyword:
 * the page of a filter that many events pass is among them, and the share that pass estimates how
 * many do in all. Its cost is `rows` index entries and heap visits, however many events there are
 * or match. One statement, so that the page and the counts are of one snapshot: each row is a
 * page row (pageSize + 1 at most) with walk_rows and walk_matches, or, when none passed, a single
 * row of just those two.
 */
export function walkStatement(
  scope: ReadScope,
  query: EventQuery,
  now: Date,
  rows: number,
): Statement {
  const where = baseFiltersOf(scope, query, now);
  const checked = checkedFiltersOf(query) ?? { sql: 'true', params: [] };
  const order = query.sortOrder;
  afterCursor(where, query, 'event_timestamp');
  return {
    sql: `with walked as materialized (
            select id, event_timestamp, (${checked.sql}) as matches from ff_events ${where.sql}
            order by event_timestamp ${order}, id ${order} limit ?
          ), counts as (
            select count(*)::int as walk_rows,
              (count(*) filter (where matches))::int as walk_matches
            from walked
          ), page as (
            select id, event_timestamp from walked where matches
            order by event_timestamp ${order}, id ${order} limit ?
          )
          select counts.*, e.*, e.event_timestamp::text as sort_event_timestamp
          from counts
          left join page on true
          left join ff_events as e on e.id = page.id
          order by page.event_timestamp ${order}, page.id ${order}`,
    params: [...checked.params, ...where.params, rows, query.pageSize + 1],
  };
}

/** Keyset paging: only rows past the cursor's (sort value, id) in the page's order. */
function afterCursor(where: ScopedWhere, query: EventQuery, column: string): void {
  if (!query.cursor) return;
  const comparison = query.sortOrder === 'desc' ? '<' : '>';
  where.and(`(${column}, id) ${comparison} (?, ?::bigint)`, query.cursor.value, query.cursor.id);
}

/** Counts the matches, at most EXACT_TOTAL_LIMIT + 1 of them: a bounded cost. */
export function countStatement(
  scope: ReadScope,
  query: EventQuery,
  now: Date,
  trigrams: readonly string[] = [],
): Statement {
  const where = filtersOf(scope, query, now, trigrams);
  return {
    sql: `select count(*)::int as matches from (
            select 1 from ff_events ${where.sql} limit ${EXACT_TOTAL_LIMIT + 1}) as bounded`,
    params: where.params,
  };
}

/**
 * The statements of a paged query, exactly as run: kept apart from the service so that a test
 * can EXPLAIN them and see which indexes serve each filter.
 *
 * A page is read in the sort's order, ties broken by id, from the cursor when there is one
 * ((sort, id) past the cursor's: constant cost however deep) or from pageIndex's offset (bounded
 * by MAX_OFFSET). Sorted by event time, the tenant's time index finds the first page at once
 * whatever matches. A tags or data filter is `@>` on jsonb, of which PostgreSQL keeps no
 * statistics: when the count found few matches (`sparse`), they are read through the GIN index
 * and sorted (at most EXACT_TOTAL_LIMIT of them); when it found many, the time index is walked
 * and the filter checked row by row, which finds a page quickly because matches are dense.
 */
export function pageStatements(
  scope: ReadScope,
  query: EventQuery,
  now: Date,
  {
    sparse,
    anchor,
    trigrams = [],
  }: { sparse: boolean; anchor?: OffsetAnchor; trigrams?: readonly string[] } = { sparse: true },
): { page: Statement; count: Statement } {
  const where = filtersOf(scope, query, now, trigrams);
  const column = SORT_COLUMNS[query.sortField];
  const order = query.sortOrder;
  afterCursor(where, query, column);
  // The anchor's hour and every hour before it in the page's order: the events it skips are
  // only those of the anchor's hour, the ones of the hours before having been counted.
  if (anchor && order === 'desc') {
    where.and(`event_timestamp < ?::timestamptz + interval '1 hour'`, anchor.hour);
  } else if (anchor) {
    where.and('event_timestamp >= ?', anchor.hour);
  }
  // id breaks ties so that rows never move between pages of the same query.
  const orderBy = column === 'id' ? `id ${order}` : `${column} ${order}, id ${order}`;
  const offset = query.cursor ? 0 : (query.pageIndex - 1) * query.pageSize - (anchor?.before ?? 0);
  const paging = [query.pageSize + 1, offset];
  const sortKey = `${column}::text as sort_${column}`;
  const count = countStatement(scope, query, now, trigrams);
  const jsonb = query.tags !== undefined || query.data !== undefined;
  if (!jsonb || !sparse) {
    return {
      page: {
        sql: `select *, ${sortKey} from ff_events ${where.sql}
              order by ${orderBy} limit ? offset ?`,
        params: [...where.params, ...paging],
      },
      count,
    };
  }
  return {
    page: {
      sql: `with matched as materialized (
              select id, ${column} as sort_key from ff_events ${where.sql}
            ), page as (
              select id, sort_key from matched
              order by sort_key ${order}, id ${order} limit ? offset ?
            )
            select e.*, e.${sortKey} from page join ff_events as e on e.id = page.id
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
