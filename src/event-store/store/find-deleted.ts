import { BoundSql } from '../../database/sql.js';
import type { SqlExecutor } from '../../database/sql.js';

/**
 * Which of a tenant's ids belong to events soft-deleted since (retention or cleanup): a repeated
 * append of such an id is refused, as ids are never reused, rather than called a duplicate.
 */
const FIND_DELETED = new BoundSql(`
  select event_id from ff_events
  where tenant_id = ? and event_id = any(?::varchar[]) and not is_valid`);

export async function findDeleted(
  db: SqlExecutor,
  tenantId: string,
  eventIds: readonly string[],
): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const rows = await FIND_DELETED.run<{ event_id: string }>(db, [tenantId, [...eventIds]]);
  return new Set(rows.map((row) => row.event_id));
}
