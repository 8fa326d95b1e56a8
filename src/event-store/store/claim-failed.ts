import { BoundSql } from '../../database/sql.js';
import type { SqlExecutor } from '../../database/sql.js';
import type { EventRow } from '../event-row.js';
import type { EventKey } from './record-outcomes.js';
import type { ClaimStamp } from './claim-stamp.js';

/**
 * Claims one Failed event of one tenant for a retry requested by hand: Retry marks it as in
 * progress (a concurrent claim or sweep sees it is no longer Failed), and the claim is an attempt,
 * so process_count and last_processed_at move now. A dead event (requires_retry false) can be
 * claimed too: an operator may retry it by hand.
 */
const CLAIM_FAILED = new BoundSql(`
  update ff_events
  set event_status = 'Retry', process_count = process_count + 1, last_processed_at = ?,
      modify_date = ?, modify_by = ?
  where event_id = ? and tenant_id = ? and is_valid and event_status = 'Failed'
  returning *`);

/** Undefined when the tenant has no valid Failed event with this id. */
export async function claimFailed(
  db: SqlExecutor,
  key: EventKey,
  { now, actor }: ClaimStamp,
): Promise<EventRow | undefined> {
  const [row] = await CLAIM_FAILED.run<EventRow>(db, [now, now, actor, key.eventId, key.tenantId]);
  return row;
}
