import type { EventStatus } from '../entities/event-status.js';
import type { PageCursor } from './page-cursor.js';

/** Columns a page may be sorted by: the whitelist of SPEC §5, API name to column. */
export const SORT_COLUMNS = {
  eventTimestamp: 'event_timestamp',
  createDate: 'create_date',
  modifyDate: 'modify_date',
  eventType: 'event_type',
  eventStatus: 'event_status',
  eventSource: 'event_source',
  aggregateId: 'aggregate_id',
  processCount: 'process_count',
  id: 'id',
} as const;

export type SortField = keyof typeof SORT_COLUMNS;
export type SortOrder = 'asc' | 'desc';

/** The paged query of SPEC §5; every filter optional, all of them combined with AND. */
export interface EventQuery {
  readonly eventType?: string;
  readonly eventStatus?: EventStatus;
  readonly eventSource?: string;
  readonly aggregateId?: string;
  readonly aggregateType?: string;
  readonly relatedEntityId?: string;
  readonly relatedEntityType?: string;
  readonly eventId?: string;
  readonly startDate?: Date;
  readonly endDate?: Date;
  /** Events of the last N days. */
  readonly days?: number;
  /** The event carries all of these tags. */
  readonly tags?: readonly string[];
  readonly requiresRetry?: boolean;
  /** Case-insensitive substring of the description. */
  readonly keyword?: string;
  /** JSON containment: event_data @> data. */
  readonly data?: Record<string, unknown>;
  /** Keyset paging: the page after this cursor (pageIndex is then 1). */
  readonly cursor?: PageCursor;
  readonly pageIndex: number;
  readonly pageSize: number;
  readonly sortField: SortField;
  readonly sortOrder: SortOrder;
}

export interface EventPage<T> {
  readonly items: T[];
  /**
   * Exact when totalIsExact, otherwise an estimate, never less than the matches counted. From
   * the rollups, exact, when they carry every filter (rollup-page.ts); for a walked page of tags,
   * data or keyword, over EXACT_TOTAL_LIMIT the rollups' count times the walk's share; for one
   * read through their index, exact up to INDEXED_MATCH_LIMIT, past it (and, on a first page
   * sorted by time, for a keyword whose trigrams say more than ESTIMATED_TOTAL_ABOVE match, not
   * counted) the rollups' count times the keyword's trigram shares; for a keyword's page from the
   * slices of its word starts, exact up to EXACT_TOTAL_LIMIT when they are few, otherwise
   * estimated from them and the share of their walked events that matched (slicedPage); bounded
   * in time with no other filters than the rollups' columns, from the rollups and the hours the
   * bounds cut (rollup-span.ts); otherwise exact up to EXACT_TOTAL_LIMIT (CHEAP_COUNT when the
   * planner expects more than ESTIMATED_TOTAL_ABOVE). Past those bounds, the planner's estimate.
   */
  readonly total: number;
  readonly totalIsExact: boolean;
  readonly pageIndex: number;
  readonly pageSize: number;
  readonly totalPages: number;
  /** The cursor of the next page; null when this page is the last. */
  readonly nextCursor: string | null;
}

/**
 * Matching events are counted up to this many: a count that must visit every match (from the
 * heap, while the table is being written) costs as much as the matches. Past it the page says
 * totalIsExact: false and total is an estimate.
 */
export const EXACT_TOTAL_LIMIT = 1_000;

/**
 * When PostgreSQL's planner expects more than ESTIMATED_TOTAL_ABOVE matches of filters the
 * rollups do not carry, they are counted only up to CHEAP_COUNT, and past that the total is the
 * planner's estimate (see EventQueries.plannedTotal): a count to EXACT_TOTAL_LIMIT would visit a
 * thousand rows to say "1,000 or more".
 */
export const ESTIMATED_TOTAL_ABOVE = 2 * EXACT_TOTAL_LIMIT;
export const CHEAP_COUNT = 100;

/**
 * A first page filtered by tags, data or keyword first walks up to this many events per item of
 * the page (at most MAX_WALKED_EVENTS) in event time, checking those filters row by row and
 * stopping at a page's worth of matches; when that found some but too few, one walk as far as
 * their share says a page lies, if that is within MAX_WALKED_EVENTS (see EventQueries.walkedPage).
 * A filter one in 20 events passes is served by the first walk; one in 200, by the second.
 */
export const WALKED_EVENTS_PER_ITEM = 20;
export const MAX_WALKED_EVENTS = 4_000;

/**
 * A tags, data or keyword filter read through its GIN index takes up to this many
 * matches to sort the page from (see indexedPageStatement), and counts them exactly: that index
 * finds every match before it can return one, so the page costs what the matches cost. Past it,
 * a first page sorted by time comes from the days that hold matches (EventQueries.probedPage),
 * any other along the time index; the total is an estimate (EventQueries.indexedPage).
 */
export const INDEXED_MATCH_LIMIT = 5_000;

/** pageIndex paging reads and skips every row before the page: at most this many. */
export const MAX_OFFSET = 10_000;
