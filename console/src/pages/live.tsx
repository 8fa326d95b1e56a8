import { useEffect, useRef, useState } from 'preact/hooks';
import { Link } from '../components/link.js';
import { apiHeaders, apiUrl } from '../lib/api.js';
import { dateTime } from '../lib/format.js';
import { SseParser } from '../lib/sse-parser.js';
import type { StoredEvent } from '../lib/types.js';

const KEEP = 500;

/**
 * The stream of the tenant's events as they are stored (GET /api/events/stream), newest first.
 * Pause closes the stream and keeps the last cursor; resume reconnects with Last-Event-ID, so
 * nothing in between is missed.
 */
export function LivePage() {
  const [filters, setFilters] = useState({ eventType: '', aggregateType: '', aggregateId: '' });
  const [applied, setApplied] = useState(filters);
  const [paused, setPaused] = useState(false);
  const [events, setEvents] = useState<StoredEvent[]>([]);
  const [state, setState] = useState('connecting');
  const lastId = useRef<string | undefined>(undefined);

  useEffect(() => {
    if (paused) {
      setState('paused');
      return;
    }
    const controller = new AbortController();
    const params = new URLSearchParams({ from: 'now' });
    for (const [name, value] of Object.entries(applied)) if (value) params.set(name, value);
    const headers: Record<string, string> = { ...apiHeaders(), accept: 'text/event-stream' };
    void (async () => {
      for (let attempt = 0; !controller.signal.aborted; attempt += 1) {
        try {
          const response = await fetch(apiUrl(`events/stream?${params.toString()}`), {
            headers: lastId.current ? { ...headers, 'last-event-id': lastId.current } : headers,
            signal: controller.signal,
            credentials: 'omit',
          });
          if (!response.ok || !response.body) throw new Error(`${response.status}`);
          setState('live');
          const parser = new SseParser();
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            const messages = parser.push(value);
            if (messages.length === 0) continue;
            lastId.current = messages[messages.length - 1].id ?? lastId.current;
            const received = messages.map((m) => JSON.parse(m.data) as StoredEvent).reverse();
            setEvents((previous) => [...received, ...previous].slice(0, KEEP));
          }
        } catch (error) {
          if (controller.signal.aborted) return;
          setState(`reconnecting (${(error as Error).message})`);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** attempt)));
      }
    })();
    return () => controller.abort();
  }, [applied, paused]);

  return (
    <section>
      <header class="page-header">
        <h1>Live tail</h1>
        <span class="badge" data-testid="live-state">
          {state}
        </span>
        <button type="button" onClick={() => setPaused(!paused)}>
          {paused ? 'Resume' : 'Pause'}
        </button>
      </header>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          lastId.current = undefined;
          setEvents([]);
          setApplied(filters);
        }}
      >
        {(['eventType', 'aggregateType', 'aggregateId'] as const).map((name) => (
          <label key={name}>
            <span>{name}</span>
            <input
              name={name}
              value={filters[name]}
              onInput={(e) => setFilters({ ...filters, [name]: e.currentTarget.value })}
            />
          </label>
        ))}
        <div class="filter-actions">
          <button type="submit" class="primary">
            Apply
          </button>
        </div>
      </form>
      <div class="table-wrap">
        <table data-testid="live-events">
          <thead>
            <tr>
              <th>Time</th>
              <th>Type</th>
              <th>Status</th>
              <th>Aggregate</th>
              <th>Event id</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <tr key={event.eventId}>
                <td>{dateTime(event.eventTimestamp)}</td>
                <td>{event.eventType}</td>
                <td>
                  <span class={`status ${event.eventStatus}`}>{event.eventStatus}</span>
                </td>
                <td>
                  {event.aggregateType} {String(event.aggregateId)}
                </td>
                <td>
                  <Link to={`events/${encodeURIComponent(event.eventId)}`}>{event.eventId}</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
