import { BoundSql } from '../../database/sql.js';
import type { SqlTransactor } from '../../database/sql.js';
import type { EventRow } from '../event-row.js';
import type { ClaimStamp } from './claim-stamp.js';

/**
 * Events left Published or Retry since before the cutoff: their process died mid-processing (or
 * hung past the stuck timeout). Locked with SKIP LOCKED, so instances sweeping side by side split
 * them; the caller decides, row by row, whether each gets another attempt or is declared dead.
 */
const LOCK_STUCK = new BoundSql(`
  select id, process_count, max_retry_count from ff_events
  where is_valid and event_status in ('Published', 'Retry') and modify_date < ?
  order by modify_date
  limit ?
  for update skip locked`);

/**
 * Applies the decisions: another attempt (Retry, counted) or dead (Failed, no retry, with the
 * reason). Either way the claim's stamp moves modify_date, so the row is not stuck any more.
 */
const SETTLE_STUCK = new BoundSql(`
  update ff_events as e
  set event_status = case when r.retry then 'Retry' else 'Failed' end,
      process_count = e.process_count + case when r.retry then 1 else 0 end,
      requires_retry = false, next_retry_at = null,
      error_message = coalesce(r.error_message, e.error_message),
      last_processed_at = r.now, modify_date = r.now, modify_by = r.actor
  from jsonb_to_recordset(?::jsonb) as r(id bigint, retry boolean, error_message varchar,
    now timestamptz, actor varchar)
  where e.id = r.id
  returning e.*`);

export interface StuckEvent {
  readonly processCount: number;
  readonly maxRetryCount: number;
}

/** What to do with a stuck event: retry it, or declare it dead with this message. */
export type StuckDecision = { readonly retry: true } | { readonly retry: false; reason: string };

/**
 * Claims up to `limit` stuck events in one transaction; `decide` applies the retry rule to each.
 * Returns the rows as they are after the claim: Retry (claimed) or Failed (dead).
 */
export function claimStuck(
  db: SqlTransactor,
  cutoff: Date,
  limit: number,
  decide: (event: StuckEvent) => StuckDecision,
  { now, actor }: ClaimStamp,
): Promise<EventRow[]> {
  return db.transaction(async (tx) => {
    const locked = await LOCK_STUCK.run<{
      id: string;
      process_count: number;
      max_retry_count: number;
    }>(tx, [cutoff, limit]);
    if (locked.length === 0) return [];
    const decisions = locked.map((row) => {
      const decision = decide({
        processCount: row.process_count,
        maxRetryCount: row.max_retry_count,
      });
      return {
        id: row.id,
        retry: decision.retry,
        error_message: decision.retry ? null : decision.reason,
        now: now.toISOString(),
        actor,
      };
    });
    return SETTLE_STUCK.run<EventRow>(tx, [JSON.stringify(decisions)]);
  });
}
