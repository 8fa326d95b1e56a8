import { BoundSql } from '../../database/sql.js';
import type { SqlExecutor } from '../../database/sql.js';
import type { EventRow } from '../event-row.js';
import type { ClaimStamp } from './claim-stamp.js';

/**
 * The retry sweep's claim: a small batch of due failures, oldest due first, through
 * idx_ff_events_retry (partial on requires_retry and is_valid, so it holds only waiting rows).
 * SKIP LOCKED lets several instances claim side by side without waiting on each other, and the
 * status re-check that FOR UPDATE does on a row another instance has just claimed drops it from
 * this batch: no event is claimed twice for the same due time. The claim commits at once, so a
 * crashed instance leaves Retry rows that claimStuck picks up after the timeout. requires_retry
 * was set by the retry rule when the failure was recorded; the claim does not judge again.
 */
const CLAIM_DUE = new BoundSql(`
  with due as (
    select id from ff_events
    where requires_retry and is_valid and event_status = 'Failed' and next_retry_at <= ?
    order by next_retry_at
    limit ?
    for update skip locked
  )
  update ff_events as e
  set event_status = 'Retry', process_count = e.process_count + 1, last_processed_at = ?,
      modify_date = ?, modify_by = ?
  from due where e.id = due.id
  returning e.*`);

export function claimDue(
  db: SqlExecutor,
  limit: number,
  { now, actor }: ClaimStamp,
): Promise<EventRow[]> {
  return CLAIM_DUE.run<EventRow>(db, [now, limit, now, now, actor]);
}
