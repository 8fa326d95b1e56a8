import { BoundSql } from '../../database/sql.js';
import type { SqlExecutor } from '../../database/sql.js';
import type { EventRow } from '../event-row.js';
import type { EventKey } from './record-outcomes.js';

/**
 * An operator closes an event by hand; the metadata records who and when. A Retry in progress is
 * left alone: its outcome would race the manual close.
 */
const MARK_PROCESSED = new BoundSql(`
  update ff_events
  set event_status = 'Processed', requires_retry = false, next_retry_at = null,
      event_metadata = event_metadata || jsonb_build_object('markedProcessed',
        jsonb_build_object('at', ?::text, 'by', ?::text)),
      modify_date = ?, modify_by = ?
  where event_id = ? and tenant_id = ? and is_valid and event_status in ('Published', 'Failed')
  returning *`);

/** Undefined when the tenant has no valid Published or Failed event with this id. */
export async function markProcessed(
  db: SqlExecutor,
  key: EventKey,
  { now, by }: { now: Date; by: string },
): Promise<EventRow | undefined> {
  const [row] = await MARK_PROCESSED.run<EventRow>(db, [
    now.toISOString(),
    by,
    now,
    by.slice(0, 100),
    key.eventId,
    key.tenantId,
  ]);
  return row;
}
