import { useMemo, useState } from 'preact/hooks';
import { Chart } from '../components/chart.js';
import { queryFromSearch, rangeSearch } from '../lib/filters.js';
import { bytes, count, percent } from '../lib/format.js';
import { navigate } from '../lib/router.js';
import type { Statistics, Timeline } from '../lib/types.js';
import { useApi } from '../lib/use-api.js';

const RANGES = [
  { label: '24 h', days: 1, bucket: 'hour' },
  { label: '7 d', days: 7, bucket: 'hour' },
  { label: '30 d', days: 30, bucket: 'day' },
] as const;

export function OverviewPage() {
  const [range, setRange] = useState<(typeof RANGES)[number]>(RANGES[0]);
  const stats = useApi<Statistics>(`events/statistics?days=${range.days}`);
  const timeline = useApi<Timeline>(
    `events/statistics/timeline?days=${range.days}&bucket=${range.bucket}`,
  );
  const times = useMemo(
    () => timeline.data?.points.map((p) => new Date(p.at).getTime()) ?? [],
    [timeline.data],
  );
  const volume = useMemo(
    () => [
      {
        label: 'events',
        color: '#3b82f6',
        values: timeline.data?.points.map((p) => p.total) ?? [],
      },
    ],
    [timeline.data],
  );
  const failures = useMemo(
    () => [
      {
        label: 'failed',
        color: '#dc2626',
        values: timeline.data?.points.map((p) => p.failed) ?? [],
      },
    ],
    [timeline.data],
  );
  const openRange = (from: number, to: number) =>
    navigate('events', queryFromSearch(rangeSearch(from, to)));
  const s = stats.data;
  return (
    <section>
      <header class="page-header">
        <h1>Overview</h1>
        <div class="segmented" role="group" aria-label="time range">
          {RANGES.map((r) => (
            <button
              key={r.label}
              type="button"
              aria-pressed={r === range}
              onClick={() => setRange(r)}
            >
              {r.label}
            </button>
          ))}
        </div>
      </header>
      {stats.error && <p class="error">{stats.error}</p>}
      {s && (
        <div class="cards" data-testid="overview-cards">
          <Card label="events" value={count(s.total)} />
          <Card label="processed" value={count(s.byStatus.Processed ?? 0)} />
          <Card label="failed" value={count(s.byStatus.Failed ?? 0)} tone="bad" />
          <Card label="published" value={count(s.byStatus.Published ?? 0)} />
          <Card label="success rate" value={percent(s.successRate)} />
          <Card
            label="error rate"
            value={percent(s.errorRate)}
            tone={s.errorRate > 0 ? 'bad' : undefined}
          />
          <Card
            label="p95 processing"
            value={
              s.processingTimeMs.p95 === null ? '—' : `${s.processingTimeMs.p95.toFixed(1)} ms`
            }
          />
          <Card
            label="dead events"
            value={count(s.deadEvents)}
            tone={s.deadEvents > 0 ? 'bad' : undefined}
          />
          <Card label="retries made" value={count(s.retriesMade)} />
          <Card label="storage (all tenants)" value={bytes(s.storage.totalBytes)} />
        </div>
      )}
      {timeline.error && <p class="error">{timeline.error}</p>}
      {timeline.data && (
        <div class="charts">
          <Chart
            title={`Events per ${range.bucket}`}
            times={times}
            series={volume}
            onRange={openRange}
          />
          <Chart
            title={`Failures per ${range.bucket}`}
            times={times}
            series={failures}
            onRange={openRange}
          />
          <p class="hint">Drag over a chart to list the events of that time range.</p>
        </div>
      )}
    </section>
  );
}

function Card(props: { label: string; value: string; tone?: 'bad' }) {
  return (
    <div class={`card ${props.tone ?? ''}`}>
      <div class="card-value">{props.value}</div>
      <div class="card-label">{props.label}</div>
    </div>
  );
}
