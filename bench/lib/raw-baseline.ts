import pg from 'pg';
import { onboardingStageCompletedMapping } from '../../src/onboarding/onboarding-stage-completed.mapping.js';
import { stageCompleted } from './events.js';

const COLUMNS = [
  'event_id',
  'event_type',
  'event_version',
  'event_timestamp',
  'aggregate_id',
  'aggregate_type',
  'event_source',
  'event_data',
  'event_metadata',
  'event_description',
  'event_status',
  'process_count',
  'last_processed_at',
  'related_entity_id',
  'related_entity_type',
  'event_tags',
  'max_retry_count',
  'tenant_id',
  'create_date',
  'create_by',
  'modify_date',
  'modify_by',
];

/**
 * The raw baseline of the issue: the same ~1 KB events as rows of ff_events, inserted with plain
 * node-postgres multi-row INSERTs of `batch` rows, one connection, each statement its own durable
 * commit. No framework, same database, same indexes. Rows are built before the clock starts.
 */
export async function rawBaseline(
  url: string,
  events: number,
  batch = 500,
): Promise<{ rows: number; ms: number }> {
  const statements: { sql: string; params: unknown[] }[] = [];
  for (let start = 0; start < events; start += batch) {
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (let i = start; i < Math.min(events, start + batch); i += 1) {
      const e = onboardingStageCompletedMapping.toEnvelope(stageCompleted(i));
      const now = new Date();
      const values = [
        `raw-${e.eventId}`,
        e.eventType,
        e.eventVersion,
        e.eventTimestamp,
        e.aggregateId,
        e.aggregateType,
        e.eventSource,
        JSON.stringify(e.eventData),
        JSON.stringify({
          ...e.eventMetadata,
          handlers: { 'legacy-stage-log': { status: 'succeeded', attempts: 1 } },
        }),
        e.eventDescription,
        'Processed',
        1,
        now,
        e.relatedEntityId,
        e.relatedEntityType,
        JSON.stringify(e.eventTags),
        3,
        e.tenantId,
        now,
        'bench',
        now,
        'bench',
      ];
      tuples.push(`(${values.map((_, k) => `$${params.length + k + 1}`).join(', ')})`);
      params.push(...values);
    }
    statements.push({
      sql: `insert into ff_events (${COLUMNS.join(', ')}) values ${tuples.join(', ')}`,
      params,
    });
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const started = performance.now();
    for (const statement of statements) await client.query(statement.sql, statement.params);
    const ms = performance.now() - started;
    const [{ n }] = (await client.query<{ n: number }>('select count(*)::int as n from ff_events'))
      .rows;
    return { rows: n, ms };
  } finally {
    await client.end();
  }
}
