import { useState } from 'preact/hooks';
import { api } from '../lib/api.js';
import { count, dateTime, duration } from '../lib/format.js';
import type { ParkedEvent, Subscription } from '../lib/types.js';
import { useApi } from '../lib/use-api.js';

/** Operators only: the server refuses these routes to tenant keys, and the menu hides them. */
export function SubscriptionsPage() {
  const list = useApi<Subscription[]>('subscriptions');
  const [open, setOpen] = useState<string>();
  return (
    <section>
      <header class="page-header">
        <h1>Subscriptions</h1>
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
      </header>
      {list.error && (
        <p class="error" role="alert">
          {list.error}
        </p>
      )}
      {list.data && list.data.length === 0 && <p>No subscriptions run in this service.</p>}
      {list.data && list.data.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>State</th>
                <th>Owner</th>
                <th>Lag</th>
                <th>Delivered</th>
                <th>Parked</th>
                <th>Last error</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.data.map((s) => (
                <tr key={s.name}>
                  <td>
                    {s.name}
                    <div class="sub">
                      {s.eventTypes?.join(', ') ?? 'every type'} · {s.tenantId ?? 'every tenant'}
                    </div>
                  </td>
                  <td>{s.state}</td>
                  <td>{s.owner ?? '—'}</td>
                  <td>
                    {count(s.lagEvents)} events, {duration(s.lagSeconds * 1000)}
                  </td>
                  <td>
                    {count(s.delivered)}
                    <div class="sub">{dateTime(s.lastDeliveredAt)}</div>
                  </td>
                  <td>{s.parked}</td>
                  <td>
                    <pre class="inline">{s.lastError ?? ''}</pre>
                  </td>
                  <td>
                    <button
                      type="button"
                      onClick={() => setOpen(open === s.name ? undefined : s.name)}
                    >
                      {open === s.name ? 'Close' : 'Parked & reset'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open && <SubscriptionTools key={open} name={open} onChange={list.reload} />}
    </section>
  );
}

function SubscriptionTools(props: { name: string; onChange: () => void }) {
  const path = `subscriptions/${encodeURIComponent(props.name)}`;
  const parked = useApi<ParkedEvent[]>(`${path}/parked?limit=200`);
  const [from, setFrom] = useState('now');
  const [message, setMessage] = useState<{ text: string; error?: boolean }>();
  async function post(what: string, body?: unknown) {
    try {
      await api(what, { method: 'POST', body });
      setMessage({ text: 'done' });
      parked.reload();
      props.onChange();
    } catch (e) {
      setMessage({ text: (e as Error).message, error: true });
    }
  }
  return (
    <section class="panel">
      <h2>{props.name}</h2>
      {message && (
        <p role={message.error ? 'alert' : 'status'} class={message.error ? 'error' : ''}>
          {message.text}
        </p>
      )}
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (confirm(`Reset ${props.name} to ${from}?`)) void post(`${path}/reset`, { from });
        }}
      >
        <label>
          <span>Reset to</span>
          <input value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <button type="submit">Reset</button>
        <span class="hint">beginning, now, or a cursor</span>
      </form>
      <h3>Parked events</h3>
      {parked.error && <p class="error">{parked.error}</p>}
      {parked.data && parked.data.length === 0 && <p>None.</p>}
      {parked.data && parked.data.length > 0 && (
        <ul class="parked">
          {parked.data.map((p) => (
            <li key={p.eventId}>
              <code>{p.eventId}</code> · {p.attempts} attempts · {dateTime(p.parkedAt)}
              <pre class="inline">{p.error}</pre>
              <button
                type="button"
                onClick={() => void post(`${path}/parked/${encodeURIComponent(p.eventId)}/replay`)}
              >
                Replay
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
