import { describe, expect, it } from '@jest/globals';
import {
  apiQueryFromSearch,
  DEFAULT_SEARCH,
  nextPage,
  queryFromSearch,
  rangeSearch,
  searchFromQuery,
  sortedBy,
  withFilters,
} from './filters.js';

describe('the events search in the page URL', () => {
  it('round-trips every filter, the sort, the page size and the cursor through the query string', () => {
    const search = {
      filters: {
        eventType: 'InvoicePaid',
        eventStatus: 'Failed',
        tags: 'vip,eu',
        data: '{"region":"EU"}',
        keyword: 'late payment',
        startDate: '2026-11-01T00:00:00.000Z',
      },
      sortField: 'processCount' as const,
      sortOrder: 'asc' as const,
      pageSize: 100,
      cursor: 'abc',
    };
    const query = queryFromSearch(search);
    expect(searchFromQuery(query)).toEqual(search);
    expect(query).toBe(
      'eventType=InvoicePaid&eventStatus=Failed&tags=vip%2Ceu&data=%7B%22region%22%3A%22EU%22%7D&keyword=late+payment&startDate=2026-11-01T00%3A00%3A00.000Z&sortField=processCount&sortOrder=asc&pageSize=100&cursor=abc',
    );
  });

  it('leaves defaults and empty filters out of the URL, and spells them out for the API', () => {
    const search = withFilters(DEFAULT_SEARCH, { eventType: 'A', eventSource: '  ' });
    expect(queryFromSearch(search)).toBe('eventType=A');
    expect(apiQueryFromSearch(search)).toBe(
      'eventType=A&sortField=eventTimestamp&sortOrder=desc&pageSize=50',
    );
  });

  it('ignores what it does not know: unknown parameters, sort fields and page sizes', () => {
    expect(searchFromQuery('sortField=password&pageSize=7&admin=1&sortOrder=up')).toEqual(
      DEFAULT_SEARCH,
    );
  });

  it('starts from the first page whenever the filters or the sort change', () => {
    const onPage2 = { ...DEFAULT_SEARCH, cursor: 'c2' };
    expect(withFilters(onPage2, { eventType: 'B' }).cursor).toBeUndefined();
    expect(sortedBy(onPage2, 'eventType')).toMatchObject({
      sortField: 'eventType',
      sortOrder: 'desc',
      cursor: undefined,
    });
  });

  it('flips the order when the sorted column is clicked again', () => {
    const once = sortedBy(DEFAULT_SEARCH, 'eventType');
    expect(sortedBy(once, 'eventType').sortOrder).toBe('asc');
    expect(sortedBy(sortedBy(once, 'eventType'), 'eventType').sortOrder).toBe('desc');
  });

  it("pages with the answer's nextCursor, and has no next page after the last", () => {
    expect(nextPage(DEFAULT_SEARCH, 'n1')).toEqual({ ...DEFAULT_SEARCH, cursor: 'n1' });
    expect(nextPage(DEFAULT_SEARCH, null)).toBeUndefined();
  });

  it('turns a range dragged on a chart, either way, into date filters of the first page', () => {
    const from = Date.parse('2026-11-25T10:00:00Z');
    const to = Date.parse('2026-11-25T12:00:00Z');
    expect(rangeSearch(to, from)).toEqual({
      ...DEFAULT_SEARCH,
      filters: { startDate: '2026-11-25T10:00:00.000Z', endDate: '2026-11-25T12:00:00.000Z' },
      cursor: undefined,
    });
  });
});
