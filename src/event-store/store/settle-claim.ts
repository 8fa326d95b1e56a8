import { BoundSql } from '../../database/sql.js';
import type { SqlExecutor } from '../../database/sql.js';
import type { ClaimStamp } from './claim-stamp.js';
import type { EventKey } from './record-outcomes.js';

/** A claimed event with no handler left to run (all succeeded before) has nothing to wait for. */
const SETTLE_CLAIM = new BoundSql(`
  update ff_events
  set event_status = 'Processed', requires_retry = false, next_retry_at = null,
      modify_date = ?, modify_by = ?
  where event_id = ? and tenant_id = ? and event_status = 'Retry'`);

export async function settleClaim(
  db: SqlExecutor,
  key: EventKey,
  { now, actor }: ClaimStamp,
): Promise<void> {
  await SETTLE_CLAIM.run(db, [now, actor, key.eventId, key.tenantId]);
}
