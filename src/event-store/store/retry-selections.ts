import { BoundSql } from '../../database/sql.js';
import type { SqlExecutor } from '../../database/sql.js';
import { FAILED_HANDLERS } from './failure-groups.js';

/** What a bulk retry selects among a tenant's Failed events; every part optional, all ANDed. */
export interface RetryFilter {
  readonly handler?: string;
  /** A cause as failureGroups reports it (normalized). */
  readonly cause?: string;
  readonly eventType?: string;
  readonly eventSource?: string;
  readonly startDate?: Date;
  readonly endDate?: Date;
  /** Dead events (no automatic retry left) too; true unless false. */
  readonly includeDead?: boolean;
}

/**
 * Freezes the row ids of the tenant's Failed events that match into a new selection, at most
 * `limit` of them (the caller asks for one more than it allows, to tell a filter that is too
 * wide), and deletes selections expired for a day (until then a late run is told "expired", not
 * "unknown"). The count is what the person previewing sees; the retry touches these rows and
 * no others.
 */
const CREATE_SELECTION = new BoundSql(`
  with expired as (
    delete from ff_retry_selections where expires_at < ?::timestamptz - interval '1 day'
  ), matched as (
    select distinct f.id from (${FAILED_HANDLERS}) as f
    where (?::text is null or f.handler = ?)
      and (?::text is null or f.cause = ?)
      and (?::text is null or f.event_type = ?)
      and (?::text is null or f.event_source = ?)
      and (?::timestamptz is null or f.event_timestamp >= ?)
      and (?::timestamptz is null or f.event_timestamp <= ?)
      and (? or f.requires_retry)
    limit ?
  )
  insert into ff_retry_selections (id, tenant_id, filter, event_row_ids, matched, created_at,
    expires_at)
  select ?, ?, ?, coalesce(array_agg(id order by id), '{}'), count(*), ?, ?
  from matched
  returning matched`);

export async function createRetrySelection(
  db: SqlExecutor,
  selection: { id: string; tenantId: string; filter: RetryFilter; limit: number },
  { now, expiresAt }: { now: Date; expiresAt: Date },
): Promise<number> {
  const f = selection.filter;
  const pair = (value: unknown) => [value ?? null, value ?? null];
  const [row] = await CREATE_SELECTION.run<{ matched: number }>(db, [
    now,
    selection.tenantId,
    ...pair(f.handler),
    ...pair(f.cause),
    ...pair(f.eventType),
    ...pair(f.eventSource),
    ...pair(f.startDate),
    ...pair(f.endDate),
    f.includeDead !== false,
    selection.limit,
    selection.id,
    selection.tenantId,
    JSON.stringify(f),
    now,
    expiresAt,
  ]);
  return row.matched;
}

/**
 * Runs a selection once: each of its events still Failed (a sweep or a person may have retried
 * or closed it since the preview) becomes due now, dead ones included, and the retry sweep claims
 * them like any due failure, with SKIP LOCKED, on whichever instance comes first. The selection
 * is stamped in the same statement, so a second run, or a double click, retries nothing twice.
 * No row: the selection is unknown to this tenant, expired, or already run.
 */
const RUN_SELECTION = new BoundSql(`
  with selection as (
    update ff_retry_selections set retried_at = ?
    where id = ? and tenant_id = ? and retried_at is null and expires_at >= ?
    returning event_row_ids, matched
  ), due as (
    update ff_events as e
    set requires_retry = true, next_retry_at = ?, modify_date = ?, modify_by = ?
    from selection
    where e.id = any(selection.event_row_ids) and e.tenant_id = ? and e.is_valid
      and e.event_status = 'Failed'
    returning e.id
  )
  select matched, (select count(*)::int from due) as retried from selection`);

export async function runRetrySelection(
  db: SqlExecutor,
  key: { id: string; tenantId: string },
  { now, actor }: { now: Date; actor: string },
): Promise<{ matched: number; retried: number } | undefined> {
  const [row] = await RUN_SELECTION.run<{ matched: number; retried: number }>(db, [
    now,
    key.id,
    key.tenantId,
    now,
    now,
    now,
    actor,
    key.tenantId,
  ]);
  return row;
}

/** Why a selection cannot run: `unknown` (or another tenant's), `expired`, or `retried` already. */
const SELECTION_STATE = new BoundSql(`
  select case when retried_at is not null then 'retried' else 'expired' end as state
  from ff_retry_selections where id = ? and tenant_id = ?`);

export async function retrySelectionState(
  db: SqlExecutor,
  key: { id: string; tenantId: string },
): Promise<'unknown' | 'expired' | 'retried'> {
  const [row] = await SELECTION_STATE.run<{ state: 'expired' | 'retried' }>(db, [
    key.id,
    key.tenantId,
  ]);
  return row?.state ?? 'unknown';
}

/** Removes a selection that will never run (its filter was too wide). */
const DELETE_SELECTION = new BoundSql(
  `delete from ff_retry_selections where id = ? and tenant_id = ?`,
);

export async function deleteRetrySelection(
  db: SqlExecutor,
  key: { id: string; tenantId: string },
): Promise<void> {
  await DELETE_SELECTION.run(db, [key.id, key.tenantId]);
}
