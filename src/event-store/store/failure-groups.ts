import { BoundSql } from '../../database/sql.js';
import type { SqlExecutor } from '../../database/sql.js';

/**
 * How a handler's stored error becomes the cause it is grouped under, written once for the
 * grouping and the bulk retry's filter: its first line (`Name: message`, without the `at` frame),
 * with UUIDs and hex ids (8 hex digits or more) as <id> and every other run of digits as <n>, so
 * that "order 1234 not found" and "order 98 not found" are one cause. (No `?` here: BoundSql
 * makes every `?` a parameter.)
 */
export const NORMALIZED_ERROR = (error: string) => `
  regexp_replace(
    regexp_replace(
      regexp_replace(split_part(coalesce(${error}, 'failed'), E'\\n', 1),
        '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}', '<id>', 'g'),
      '\\m[0-9a-fA-F]{8,}\\M', '<id>', 'g'),
    '[0-9]+', '<n>', 'g')`;

/**
 * The failed handler records of a tenant's Failed events, one row per event and failed handler.
 * Failed rows are few (they are the ones someone is paged about) and read through
 * idx_ff_events_status (tenant_id, event_status, …); the handlers' records are in event_metadata.
 */
export const FAILED_HANDLERS = `
  select e.id, e.event_id, e.event_type, e.event_source, e.event_timestamp, e.requires_retry,
    e.next_retry_at, e.last_processed_at, h.key as handler,
    split_part(coalesce(h.value ->> 'error', 'failed'), E'\\n', 1) as error,
    ${NORMALIZED_ERROR(`h.value ->> 'error'`)} as cause
  from ff_events e
  cross join lateral jsonb_each(coalesce(e.event_metadata -> 'handlers', '{}'::jsonb)) as h
  where e.tenant_id = ? and e.is_valid and e.event_status = 'Failed'
    and h.value ->> 'status' = 'failed'`;

/** Failures grouped by handler and cause, the largest group first. */
const FAILURE_GROUPS = new BoundSql(`
  select f.handler, f.cause, count(*)::int as events,
    count(*) filter (where f.requires_retry)::int as retrying,
    count(*) filter (where not f.requires_retry)::int as dead,
    min(f.last_processed_at) as first_seen, max(f.last_processed_at) as last_seen,
    min(f.next_retry_at) as next_retry_at,
    array_agg(distinct f.event_type order by f.event_type) as event_types,
    min(f.error) as sample_error, min(f.event_id) as sample_event_id
  from (${FAILED_HANDLERS}) as f
  group by f.handler, f.cause
  order by events desc, f.handler, f.cause
  limit ?`);

export interface FailureGroupRow {
  readonly handler: string;
  readonly cause: string;
  readonly events: number;
  readonly retrying: number;
  readonly dead: number;
  readonly first_seen: Date | string | null;
  readonly last_seen: Date | string | null;
  readonly next_retry_at: Date | string | null;
  readonly event_types: string[];
  readonly sample_error: string;
  readonly sample_event_id: string;
}

export function failureGroups(
  db: SqlExecutor,
  tenantId: string,
  limit: number,
): Promise<FailureGroupRow[]> {
  return FAILURE_GROUPS.run<FailureGroupRow>(db, [tenantId, limit]);
}
