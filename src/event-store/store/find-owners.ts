import { BoundSql } from '../../database/sql.js';
import type { SqlExecutor } from '../../database/sql.js';

/**
 * Whose these ids are, read with a fresh snapshot. appendEvents answers this itself except when a
 * concurrent transaction inserted the id while the insert ran: ON CONFLICT then waited for that
 * transaction to commit, but the insert's snapshot predates it. A new statement sees it.
 */
const FIND_OWNERS = new BoundSql(`
  select event_id, tenant_id from ff_events where event_id = any(?::varchar[])`);

export async function findOwners(
  db: SqlExecutor,
  eventIds: readonly string[],
): Promise<Map<string, string>> {
  if (eventIds.length === 0) return new Map();
  const rows = await FIND_OWNERS.run<{ event_id: string; tenant_id: string }>(db, [[...eventIds]]);
  return new Map(rows.map((row) => [row.event_id, row.tenant_id]));
}
