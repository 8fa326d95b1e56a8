import { useState } from 'preact/hooks';
import { Link } from '../components/link.js';
import {
  apiQueryFromSearch,
  DEFAULT_SEARCH,
  FILTER_FIELDS,
  nextPage,
  queryFromSearch,
  searchFromQuery,
  sortedBy,
  withFilters,
  type EventSearch,
  type FilterField,
  type SortField,
} from '../lib/filters.js';
import { count, dateTime } from '../lib/format.js';
import { navigate } from '../lib/router.js';
import type { EventPage } from '../lib/types.js';
import { useApi } from '../lib/use-api.js';

const LABELS: Record<FilterField, string> = {
  eventType: 'Type',
  eventStatus: 'Status',
  eventSource: 'Source',
  aggregateType: 'Aggregate type',
  aggregateId: 'Aggregate id',
  relatedEntityType: 'Related entity type',
  relatedEntityId: 'Related entity id',
  tags: 'Tags (comma-separated, all)',
  data: 'Data contains (JSON)',
  keyword: 'Keyword',
  startDate: 'From (ISO 8601)',
  endDate: 'To (ISO 8601)',
};

const COLUMNS: { field: SortField | null; label: string }[] = [
  { field: 'eventTimestamp', label: 'Time' },
  { field: 'eventType', label: 'Type' },
  { field: 'eventStatus', label: 'Status' },
  { field: 'eventSource', label: 'Source' },
  { field: 'aggregateId', label: 'Aggregate' },
  { field: 'processCount', label: 'Attempts' },
  { field: null, label: 'Event id' },
];

export function EventsPage(props: { query: string }) {
  const search = searchFromQuery(props.query);
  const page = useApi<EventPage>(`events?${apiQueryFromSearch(search)}`);
  const go = (next: EventSearch) => navigate('events', queryFromSearch(next));
  return (
    <section>
      <header class="page-header">
        <h1>Events</h1>
      </header>
      <FilterForm key={props.query} search={search} onSearch={go} />
      {page.error && (
        <p class="error" role="alert">
          {page.error}
        </p>
      )}
      {page.data && (
        <>
          <p class="summary" data-testid="events-total">
            {totalText(page.data.total, page.data.totalIsExact)}
            {search.cursor ? ' — a later page' : ''}
          </p>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  {COLUMNS.map((column) => (
                    <th
                      key={column.label}
                      aria-sort={
                        column.field === search.sortField
                          ? search.sortOrder === 'asc'
                            ? 'ascending'
                            : 'descending'
                          : undefined
                      }
                    >
                      {column.field ? (
                        <button
                          type="button"
                          class="sort"
                          onClick={() => go(sortedBy(search, column.field!))}
                        >
                          {column.label}
                          {column.field === search.sortField
                            ? search.sortOrder === 'asc'
                              ? ' ▲'
                              : ' ▼'
                            : ''}
                        </button>
                      ) : (
                        column.label
                      )}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((event) => (
                  <tr key={event.eventId}>
                    <td>{dateTime(event.eventTimestamp)}</td>
                    <td>{event.eventType}</td>
                    <td>
                      <span class={`status ${event.eventStatus}`}>{event.eventStatus}</span>
                    </td>
                    <td>{event.eventSource}</td>
                    <td>
                      {event.aggregateType} {String(event.aggregateId)}
                    </td>
                    <td>{event.processCount}</td>
                    <td>
                      <Link to={`events/${encodeURIComponent(event.eventId)}`}>
                        {event.eventId}
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="pages">
            {search.cursor && (
              <button type="button" onClick={() => go({ ...search, cursor: undefined })}>
                First page
              </button>
            )}
            {nextPage(search, page.data.nextCursor) && (
              <button type="button" onClick={() => go(nextPage(search, page.data!.nextCursor)!)}>
                Next page
              </button>
            )}
          </nav>
        </>
      )}
    </section>
  );
}

function FilterForm(props: { search: EventSearch; onSearch: (search: EventSearch) => void }) {
  const [values, setValues] = useState<Partial<Record<FilterField, string>>>(props.search.filters);
  return (
    <form
      class="filters"
      onSubmit={(event) => {
        event.preventDefault();
        props.onSearch(withFilters(props.search, values));
      }}
    >
      {FILTER_FIELDS.map((field) => (
        <label key={field}>
          <span>{LABELS[field]}</span>
          {field === 'eventStatus' ? (
            <select
              name={field}
              value={values[field] ?? ''}
              onChange={(e) => setValues({ ...values, [field]: e.currentTarget.value })}
            >
              <option value="">any</option>
              {['Published', 'Processed', 'Failed', 'Retry'].map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          ) : (
            <input
              name={field}
              value={values[field] ?? ''}
              onInput={(e) => setValues({ ...values, [field]: e.currentTarget.value })}
            />
          )}
        </label>
      ))}
      <div class="filter-actions">
        <button type="submit" class="primary">
          Search
        </button>
        <button type="button" onClick={() => props.onSearch(DEFAULT_SEARCH)}>
          Clear
        </button>
      </div>
    </form>
  );
}

/** A total that is not exact is an estimate, never below the matches counted (the paging contract). */
function totalText(total: number, exact: boolean): string {
  return exact ? `${count(total)} events` : `about ${count(total)} events`;
}
