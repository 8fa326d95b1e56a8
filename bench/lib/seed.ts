import type { BenchDatabase } from './bench-database.js';

/**
 * Rows written straight into ff_events in SQL, for the query and sweep scenarios: millions of
 * rows in minutes, without going through the service being measured.
 *
 * Each row looks like a stored OnboardingStageCompletedEvent of about 1 KB: event_data carries the
 * event's fields (so a retry can rebuild the event), tags and data vary so that the filters have
 * something to find.
 */
const EVENT_ROWS = (where: string) => `
  insert into ff_events (event_id, event_type, event_version, event_timestamp, aggregate_id,
    aggregate_type, event_source, event_data, event_metadata, event_description, event_status,
    process_count, last_processed_at, error_message, related_entity_id, related_entity_type,
    event_tags, requires_retry, next_retry_at, max_retry_count, tenant_id, is_valid, create_date,
    create_by, modify_date, modify_by)
  select $1 || i, s.event_type, '1.0', s.ts, 1000000 + i % 50000, 'Onboarding',
    (array['Workflow', 'Portal', 'Import', 'Api'])[1 + (i / 10) % 4],
    jsonb_build_object('eventId', $1 || i, 'tenantId', s.tenant, 'timestamp', s.ts,
      'version', '1.0', 'onboardingId', 1000000 + i % 50000, 'leadId', 'lead-' || i,
      'workflowId', 1 + i % 20, 'workflowName', 'Standard onboarding workflow',
      'completedStageId', 1 + i % 12, 'completedStageName', 'Stage ' || i % 12,
      'stageCategory', 'Compliance', 'completionRate', i % 101, 'isFinalStage', i % 12 = 11,
      'responsibleTeam', 'Operations', 'assigneeName', 'Ana Example',
      'businessContext', jsonb_build_object('region', (array['EU', 'US', 'APAC'])[1 + i % 3],
        'channel', 'web', 'notes', repeat('x', 240)),
      'routingTags', jsonb_build_array('ops'), 'priority', 'Medium', 'source', 'Workflow',
      'description', 'Stage ' || i % 12 || ' completed for onboarding ' || i,
      'tags', jsonb_build_array('onboarding', 'stage-' || i % 12)),
    jsonb_build_object('handlers', s.handlers, 'processingInfo',
      jsonb_build_object('durationMs', 1 + i % 40, 'processedBy', 'seed')),
    'Stage ' || i % 12 || ' completed for onboarding ' || i, s.status, s.process_count, s.ts,
    s.error, 1 + i % 12, 'Stage', jsonb_build_array('onboarding', 'stage-' || i % 12, 't' || i % 97),
    s.requires_retry, s.next_retry_at, 3, s.tenant, true, s.ts, 'seed', s.ts, 'seed'
  from generate_series($2::int, $3::int) as i
  cross join lateral (select ${where}) as s`;

/** Chunks written at once: the server's work (mostly index upkeep) then uses both cores. */
const SEED_WRITERS = 2;

/**
 * Where each event of the history lies in the heap:
 * - `arrival`: written as they happen, the oldest first, the 10 tenants interleaved, each event
 *   up to a second out of order: what a store that receives its events as they occur holds,
 *   a day's events in neighbouring pages.
 * - `scattered`: event times a permutation of the row number, so that a day's events lie all
 *   over the heap: a store filled by backfills of other times, the worst case for reads of a
 *   day or of the newest events (the only layout of the runs before 2026-12-06).
 */
export type SeedOrder = 'arrival' | 'scattered';
export const SEED_ORDERS: readonly SeedOrder[] = ['arrival', 'scattered'];

/** The event time of row i of `rows` (an integer), 90 days back to now, as SeedOrder says. */
const EVENT_TIME: Record<SeedOrder, (rows: number) => string> = {
  arrival: (rows) => `now() - (((${rows}::bigint - 1 - i) * 7776000000) / ${rows})
    * interval '1 millisecond' - (i % 1000) * interval '1 millisecond'`,
  scattered: () => `now() - ((i::bigint * 7919) % 7776000) * interval '1 second'
    - (i % 1000) * interval '1 millisecond'`,
};

/** Events spread over 10 tenants, 50 types and 90 days; about 2% failed, half of those due. */
export async function seedHistory(
  db: BenchDatabase,
  rows: number,
  log: (m: string) => void,
  order: SeedOrder = 'arrival',
) {
  const chunk = 100_000;
  let next = 0;
  let written = 0;
  const writer = async () => {
    for (let start = next; start < rows; start = next) {
      next += chunk;
      await seedChunk(db, start, Math.min(rows, start + chunk) - 1, rows, order);
      written += Math.min(rows, start + chunk) - start;
      log(`  seeded ${written.toLocaleString()} of ${rows.toLocaleString()}`);
    }
  };
  await Promise.all(Array.from({ length: SEED_WRITERS }, writer));
  // Analyzed, not vacuumed: a table read while it is written has pages that are not all-visible,
  // so counts are not index-only. Autovacuum does what it does meanwhile; tableState reports it.
  await db.query('analyze ff_events');
  return tableState(db);
}

/**
 * The history a kept database holds (bench --keep: recorded once its seeding finished), or
 * undefined when it holds none yet. A seed cut short leaves events but no record: refused.
 */
export async function seededHistory(
  db: Pick<BenchDatabase, 'url' | 'query'>,
): Promise<{ rows: number; order: SeedOrder; seededAt: string } | undefined> {
  const [row] = await db.query<{ rows: string; order: SeedOrder; seeded_at: string }>(
    'select rows, seed_order as order, seeded_at::text from bench_seeded_history',
  );
  if (row) return { rows: Number(row.rows), order: row.order, seededAt: row.seeded_at };
  const [events] = await db.query<{ any: boolean }>('select exists (select from ff_events) as any');
  if (events.any) throw new Error(`${db.url} holds a seed that was cut short: drop it`);
  return undefined;
}

export async function recordSeededHistory(db: BenchDatabase, rows: number, order: SeedOrder) {
  await db.query('insert into bench_seeded_history (rows, seed_order) values ($1, $2)', [
    rows,
    order,
  ]);
}

/** The history's rows first to last (inclusive) of `rows`. */
async function seedChunk(
  db: BenchDatabase,
  first: number,
  last: number,
  rows: number,
  order: SeedOrder,
): Promise<void> {
  await db.query(
    EVENT_ROWS(`
      case when i % 5 = 0 then 'OnboardingStageCompleted' else 'Type' || i % 50 end as event_type,
      ${EVENT_TIME[order](Math.trunc(rows))} as ts,
      'tenant-' || i % 10 as tenant,
      case when i % 53 = 0 then 'Failed' else 'Processed' end as status,
      case when i % 53 = 0 then 2 else 1 end as process_count,
      case when i % 53 = 0 then 'legacy-stage-log: Error: seeded failure' end as error,
      i % 53 = 0 as requires_retry,
      case when i % 53 = 0 then now() + (i % 2 * 2 - 1) * interval '1 hour' end as next_retry_at,
      jsonb_build_object('legacy-stage-log', jsonb_build_object('status',
        case when i % 53 = 0 then 'failed' else 'succeeded' end, 'attempts', 1)) as handlers`),
    ['hist-', first, last],
  );
}

export interface TableState {
  readonly pages: number;
  readonly allVisiblePercent: number;
  readonly deadRows: number;
  readonly autovacuumCount: number;
  readonly lastAutovacuum: string | null;
}

/** How much of ff_events is all-visible, and what autovacuum has done to it. */
export async function tableState(db: BenchDatabase): Promise<TableState> {
  const [row] = await db.query<{
    pages: number;
    visible: number;
    dead: number;
    runs: number;
    last: string | null;
  }>(`select c.relpages as pages, c.relallvisible as visible, s.n_dead_tup::int as dead,
        s.autovacuum_count::int as runs, s.last_autovacuum::text as last
      from pg_class c join pg_stat_user_tables s on s.relid = c.oid
      where c.relname = 'ff_events'`);
  return {
    pages: row.pages,
    allVisiblePercent: row.pages === 0 ? 0 : Math.round((row.visible / row.pages) * 1000) / 10,
    deadRows: row.dead,
    autovacuumCount: row.runs,
    lastAutovacuum: row.last,
  };
}

/** Failed OnboardingStageCompleted events whose legacy-log handler failed, all due now. */
export async function seedDueFailures(db: BenchDatabase, rows: number) {
  await db.query(
    EVENT_ROWS(`
      'OnboardingStageCompleted' as event_type, now() - interval '1 hour' as ts,
      'tenant-' || i % 10 as tenant, 'Failed' as status, 1 as process_count,
      'legacy-stage-log: Error: seeded failure' as error, true as requires_retry,
      now() - interval '1 minute' as next_retry_at,
      jsonb_build_object('legacy-stage-log',
        jsonb_build_object('status', 'failed', 'attempts', 1)) as handlers`),
    ['due-', 0, rows - 1],
  );
  await db.query('analyze ff_events');
}

/** Processed events older than the 90-day retention period. */
export async function seedExpired(db: BenchDatabase, rows: number) {
  const chunk = 100_000;
  for (let start = 0; start < rows; start += chunk) {
    await db.query(
      EVENT_ROWS(`
        'Type' || i % 50 as event_type, now() - interval '120 days' - i * interval '1 second' as ts,
        'tenant-' || i % 10 as tenant, 'Processed' as status, 1 as process_count,
        null::varchar as error, false as requires_retry, null::timestamptz as next_retry_at,
        '{}'::jsonb as handlers`),
      ['old-', start, Math.min(rows, start + chunk) - 1],
    );
  }
  await db.query('analyze ff_events');
}
