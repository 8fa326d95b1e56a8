import { useState } from 'preact/hooks';
import { JsonView } from '../components/json-view.js';
import { Link } from '../components/link.js';
import { api } from '../lib/api.js';
import { dateTime, relativeTime } from '../lib/format.js';
import type { StoredEvent } from '../lib/types.js';
import { useApi } from '../lib/use-api.js';

const COLUMNS: (keyof StoredEvent)[] = [
  'eventId',
  'eventType',
  'eventVersion',
  'eventTimestamp',
  'eventStatus',
  'eventSource',
  'aggregateType',
  'aggregateId',
  'relatedEntityType',
  'relatedEntityId',
  'eventTags',
  'eventDescription',
  'processCount',
  'maxRetryCount',
  'lastProcessedAt',
  'requiresRetry',
  'nextRetryAt',
  'errorMessage',
  'tenantId',
  'isValid',
  'createDate',
  'createBy',
  'modifyDate',
  'modifyBy',
  'id',
];

export function EventDetailPage(props: { eventId: string }) {
  const path = `events/${encodeURIComponent(props.eventId)}`;
  const loaded = useApi<StoredEvent>(path);
  const [acting, setActing] = useState<{ busy: boolean; message?: string; error?: string }>({
    busy: false,
  });
  const event = loaded.data;
  const aggregate = useApi<StoredEvent[]>(
    event
      ? `events/aggregates/${encodeURIComponent(event.aggregateType)}/${encodeURIComponent(String(event.aggregateId))}?order=asc&limit=100`
      : undefined,
  );

  async function act(action: 'retry' | 'processed') {
    setActing({ busy: true });
    try {
      const after = await api<StoredEvent>(`${path}/${action}`, { method: 'POST' });
      setActing({
        busy: false,
        message: `${action === 'retry' ? 'Retried' : 'Marked processed'}: now ${after.eventStatus}`,
      });
      loaded.reload();
    } catch (error) {
      setActing({ busy: false, error: (error as Error).message });
    }
  }

  if (loaded.error)
    return (
      <p class="error" role="alert">
        {loaded.error}
      </p>
    );
  if (!event) return <p>Loading…</p>;
  const handlers = Object.entries(event.eventMetadata.handlers ?? {});
  return (
    <section>
      <header class="page-header">
        <h1>
          Event <code>{event.eventId}</code>
        </h1>
        <span class={`status ${event.eventStatus}`} data-testid="event-status">
          {event.eventStatus}
        </span>
      </header>
      <div class="actions">
        {event.eventStatus === 'Failed' && (
          <button
            type="button"
            class="primary"
            disabled={acting.busy}
            onClick={() => void act('retry')}
          >
            Retry now
          </button>
        )}
        {(event.eventStatus === 'Failed' || event.eventStatus === 'Published') && (
          <button type="button" disabled={acting.busy} onClick={() => void act('processed')}>
            Mark processed
          </button>
        )}
        {acting.message && <span role="status">{acting.message}</span>}
        {acting.error && (
          <span class="error" role="alert">
            {acting.error}
          </span>
        )}
      </div>
      {event.nextRetryAt && (
        <p>
          Next automatic retry {relativeTime(event.nextRetryAt, Date.now())} (
          {dateTime(event.nextRetryAt)})
        </p>
      )}
      <h2>Handlers</h2>
      {handlers.length === 0 ? (
        <p>No processing handlers.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Handler</th>
                <th>State</th>
                <th>Attempts</th>
                <th>Last run</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {handlers.map(([name, state]) => (
                <tr key={name}>
                  <td>{name}</td>
                  <td>{state.status}</td>
                  <td>{state.attempts}</td>
                  <td>{dateTime(state.lastRunAt ?? null)}</td>
                  <td>
                    <pre class="inline">{state.error ?? ''}</pre>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Columns</h2>
      <dl class="columns">
        {COLUMNS.map((column) => (
          <div key={column}>
            <dt>{column}</dt>
            <dd>{format(event[column])}</dd>
          </div>
        ))}
      </dl>
      <JsonView label="eventData" value={event.eventData} open />
      <JsonView label="eventMetadata" value={event.eventMetadata} />
      <h2>
        Aggregate {event.aggregateType} {String(event.aggregateId)}
      </h2>
      {aggregate.data && (
        <ol class="aggregate">
          {aggregate.data.map((other) => (
            <li
              key={other.eventId}
              aria-current={other.eventId === event.eventId ? 'true' : undefined}
            >
              {dateTime(other.eventTimestamp)} —{' '}
              {other.eventId === event.eventId ? (
                <strong>{other.eventType} (this event)</strong>
              ) : (
                <Link to={`events/${encodeURIComponent(other.eventId)}`}>{other.eventType}</Link>
              )}{' '}
              <span class={`status ${other.eventStatus}`}>{other.eventStatus}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function format(value: StoredEvent[keyof StoredEvent]): string {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value)) return value.join(', ') || '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
