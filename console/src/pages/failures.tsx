import { useEffect, useState } from 'preact/hooks';
import { Link } from '../components/link.js';
import { api } from '../lib/api.js';
import { dateTime, relativeTime } from '../lib/format.js';
import type { FailureGroup } from '../lib/types.js';
import { useApi } from '../lib/use-api.js';

interface RetryFilter {
  handler?: string;
  cause?: string;
  eventType?: string;
  eventSource?: string;
  startDate?: string;
  endDate?: string;
  includeDead?: boolean;
}

interface Selection {
  selectionId: string;
  matched: number;
  expiresAt: string;
}

/** A clock that ticks every second, for the retry countdowns. */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function FailuresPage() {
  const groups = useApi<{ groups: FailureGroup[] }>('events/failures?limit=200');
  const now = useNow();
  // Kept here, not in the group's row: a retried group leaves the list once its events succeed,
  // and its answer must not leave with it.
  const [result, setResult] = useState<string>();
  const retried = (message: string) => {
    setResult(message);
    groups.reload();
  };
  return (
    <section>
      <header class="page-header">
        <h1>Failures</h1>
        <button type="button" onClick={groups.reload}>
          Refresh
        </button>
      </header>
      <p class="hint">
        Failed events grouped by handler and cause (ids and numbers taken out). A bulk retry first
        counts what it will touch; only those events are retried, not what fails afterwards.
      </p>
      {result && (
        <p role="status" data-testid="retry-result">
          {result}
        </p>
      )}
      {groups.error && (
        <p class="error" role="alert">
          {groups.error}
        </p>
      )}
      {groups.data && groups.data.groups.length === 0 && (
        <p data-testid="no-failures">No failed events.</p>
      )}
      {groups.data && groups.data.groups.length > 0 && (
        <div class="table-wrap">
          <table data-testid="failure-groups">
            <thead>
              <tr>
                <th>Handler</th>
                <th>Cause</th>
                <th>Events</th>
                <th>Retrying</th>
                <th>Dead</th>
                <th>First seen</th>
                <th>Last seen</th>
                <th>Next retry</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {groups.data.groups.map((group) => (
                <tr key={`${group.handler}\u0000${group.cause}`}>
                  <td>{group.handler}</td>
                  <td>
                    <code>{group.cause}</code>
                    <div class="sub">
                      e.g.{' '}
                      <Link to={`events/${encodeURIComponent(group.sampleEventId)}`}>
                        {group.sampleEventId}
                      </Link>{' '}
                      ({group.eventTypes.join(', ')})
                    </div>
                  </td>
                  <td>{group.events}</td>
                  <td>{group.retrying}</td>
                  <td>{group.dead}</td>
                  <td>{dateTime(group.firstSeen)}</td>
                  <td>{dateTime(group.lastSeen)}</td>
                  <td>{relativeTime(group.nextRetryAt, now)}</td>
                  <td>
                    <BulkRetry
                      label="Retry group"
                      filter={{ handler: group.handler, cause: group.cause }}
                      onDone={retried}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <RetryByFilter onDone={retried} />
    </section>
  );
}

function RetryByFilter(props: { onDone: (result: string) => void }) {
  const [filter, setFilter] = useState<RetryFilter>({ includeDead: true });
  const field = (name: 'eventType' | 'eventSource' | 'startDate' | 'endDate', label: string) => (
    <label>
      <span>{label}</span>
      <input
        name={name}
        value={filter[name] ?? ''}
        onInput={(e) => setFilter({ ...filter, [name]: e.currentTarget.value || undefined })}
      />
    </label>
  );
  return (
    <section class="panel">
      <h2>Retry everything that matches</h2>
      <div class="filters">
        {field('eventType', 'Type')}
        {field('eventSource', 'Source')}
        {field('startDate', 'From (ISO 8601)')}
        {field('endDate', 'To (ISO 8601)')}
        <label class="check">
          <input
            type="checkbox"
            checked={filter.includeDead !== false}
            onChange={(e) => setFilter({ ...filter, includeDead: e.currentTarget.checked })}
          />
          <span>dead events too</span>
        </label>
      </div>
      <BulkRetry label="Preview retry" filter={filter} onDone={props.onDone} />
    </section>
  );
}

/** Preview (freeze the matching events, show their count), then retry exactly those. */
function BulkRetry(props: {
  label: string;
  filter: RetryFilter;
  onDone: (result: string) => void;
}) {
  const [selection, setSelection] = useState<Selection>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function preview() {
    setBusy(true);
    setError(undefined);
    try {
      setSelection(
        await api<Selection>('events/retry-selections', { method: 'POST', body: props.filter }),
      );
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function run(selectionId: string) {
    setBusy(true);
    try {
      const done = await api<{ matched: number; retried: number; skipped: number }>(
        `events/retry-selections/${selectionId}/retry`,
        { method: 'POST' },
      );
      setSelection(undefined);
      props.onDone(`Retried ${done.retried}, skipped ${done.skipped} (no longer failed).`);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="bulk-retry">
      {!selection && (
        <button type="button" disabled={busy} onClick={() => void preview()}>
          {props.label}
        </button>
      )}
      {selection && (
        <span role="status">
          <span data-testid="preview-count">{selection.matched}</span> failed events will be
          retried.{' '}
          <button
            type="button"
            class="primary"
            disabled={busy || selection.matched === 0}
            onClick={() => void run(selection.selectionId)}
          >
            Retry {selection.matched}
          </button>{' '}
          <button type="button" onClick={() => setSelection(undefined)}>
            Cancel
          </button>
        </span>
      )}
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
