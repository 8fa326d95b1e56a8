import type { EventStatus } from '../entities/event-status.js';

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
  readonly pageIndex: number;
  readonly pageSize: number;
  readonly sortField: SortField;
  readonly sortOrder: SortOrder;
}

export interface EventPage<T> {
  readonly items: T[];
  readonly total: number;
  readonly pageIndex: number;
  readonly pageSize: number;
  readonly totalPages: number;
}
