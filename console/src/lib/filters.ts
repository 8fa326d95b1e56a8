/**
 * The events list's filters, kept in the page URL so that a search survives a reload and can be
 * shared: each filter of GET /api/events under its own name, in a fixed order, empty ones left out.
 */
export const FILTER_FIELDS = [
  'eventType',
  'eventStatus',
  'eventSource',
  'aggregateType',
  'aggregateId',
  'relatedEntityType',
  'relatedEntityId',
  'tags',
  'data',
  'keyword',
  'startDate',
  'endDate',
] as const;

export type FilterField = (typeof FILTER_FIELDS)[number];

export const SORT_FIELDS = [
  'eventTimestamp',
  'createDate',
  'modifyDate',
  'eventType',
  'eventStatus',
  'eventSource',
  'aggregateId',
  'processCount',
] as const;

export type SortField = (typeof SORT_FIELDS)[number];

export interface EventSearch {
  readonly filters: Partial<Record<FilterField, string>>;
  readonly sortField: SortField;
  readonly sortOrder: 'asc' | 'desc';
  readonly pageSize: number;
  /** The page after a previous page's last event (its nextCursor); absent for the first page. */
  readonly cursor?: string;
}

export const DEFAULT_SEARCH: EventSearch = {
  filters: {},
  sortField: 'eventTimestamp',
  sortOrder: 'desc',
  pageSize: 50,
};

const PAGE_SIZES = [20, 50, 100, 200];

/** The search a page URL's query string describes; anything unknown or invalid is left out. */
export function searchFromQuery(query: string): EventSearch {
  const params = new URLSearchParams(query);
  const filters: Partial<Record<FilterField, string>> = {};
  for (const field of FILTER_FIELDS) {
    const value = params.get(field)?.trim();
    if (value) filters[field] = value;
  }
  const sortField = params.get('sortField');
  const sortOrder = params.get('sortOrder');
  const pageSize = Number(params.get('pageSize'));
  const cursor = params.get('cursor') ?? undefined;
  return {
    filters,
    sortField: (SORT_FIELDS as readonly string[]).includes(sortField ?? '')
      ? (sortField as SortField)
      : DEFAULT_SEARCH.sortField,
    sortOrder: sortOrder === 'asc' ? 'asc' : 'desc',
    pageSize: PAGE_SIZES.includes(pageSize) ? pageSize : DEFAULT_SEARCH.pageSize,
    ...(cursor ? { cursor } : {}),
  };
}

/** The query string of a search, defaults left out: the inverse of searchFromQuery. */
export function queryFromSearch(search: EventSearch): string {
  const params = new URLSearchParams();
  for (const field of FILTER_FIELDS) {
    const value = search.filters[field]?.trim();
    if (value) params.set(field, value);
  }
  if (search.sortField !== DEFAULT_SEARCH.sortField) params.set('sortField', search.sortField);
  if (search.sortOrder !== DEFAULT_SEARCH.sortOrder) params.set('sortOrder', search.sortOrder);
  if (search.pageSize !== DEFAULT_SEARCH.pageSize) params.set('pageSize', String(search.pageSize));
  if (search.cursor) params.set('cursor', search.cursor);
  return params.toString();
}

/** The GET /api/events query of a search: every parameter explicit. */
export function apiQueryFromSearch(search: EventSearch): string {
  const params = new URLSearchParams(queryFromSearch(search));
  params.set('sortField', search.sortField);
  params.set('sortOrder', search.sortOrder);
  params.set('pageSize', String(search.pageSize));
  return params.toString();
}

/** The search with new filters: back to the first page, as any change of filter must be. */
export function withFilters(
  search: EventSearch,
  filters: Partial<Record<FilterField, string>>,
): EventSearch {
  return { ...search, filters, cursor: undefined };
}

/**
 * A click on a column header: that column sorted, descending first, or the other way round when
 * it is the sorted one already; from the first page, since a cursor continues one sort only.
 */
export function sortedBy(search: EventSearch, field: SortField): EventSearch {
  const sortOrder =
    search.sortField === field ? (search.sortOrder === 'desc' ? 'asc' : 'desc') : 'desc';
  return { ...search, sortField: field, sortOrder, cursor: undefined };
}

/** The next page's search, or undefined on the last page (nextCursor null). */
export function nextPage(search: EventSearch, nextCursor: string | null): EventSearch | undefined {
  return nextCursor === null ? undefined : { ...search, cursor: nextCursor };
}

/** A time range dragged on a chart, as the events list's date filters. */
export function rangeSearch(fromMs: number, toMs: number): EventSearch {
  const [start, end] = fromMs <= toMs ? [fromMs, toMs] : [toMs, fromMs];
  return withFilters(DEFAULT_SEARCH, {
    startDate: new Date(start).toISOString(),
    endDate: new Date(end).toISOString(),
  });
}
