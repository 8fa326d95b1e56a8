import { BoundSql } from '../../database/sql.js';
import type { SqlExecutor } from '../../database/sql.js';

/**
 * Soft-deletes one batch of old rows. The batch is chosen by the timestamp index (partial on
 * is_valid, so rows already deleted cost nothing) and locked with SKIP LOCKED: rows a handler is
 * recording an outcome on, or another instance's cleanup is deleting, are left for the next
 * batch instead of waited for. Each batch is its own short transaction; no row leaves the
 * database.
 */
const SOFT_DELETE = (tenantScoped: boolean) =>
  new BoundSql(`
  with batch as (
    select id from ff_events
    where is_valid and event_timestamp < ? ${tenantScoped ? 'and tenant_id = ?' : ''}
    order by event_timestamp
    limit ?
    for update skip locked
  ), deleted as (
    update ff_events as e set is_valid = false, modify_date = ?, modify_by = ?
    from batch where e.id = batch.id
    returning 1
  )
  select count(*)::int as n from deleted`);

const ALL_TENANTS = SOFT_DELETE(false);
const ONE_TENANT = SOFT_DELETE(true);

/** Rows soft-deleted by this batch; fewer than `limit` means nothing older is left. */
export async function softDeleteBatch(
  db: SqlExecutor,
  options: { cutoff: Date; tenantId?: string; limit: number; now: Date; by: string },
): Promise<number> {
  const scope = options.tenantId === undefined ? [] : [options.tenantId];
  const statement = options.tenantId === undefined ? ALL_TENANTS : ONE_TENANT;
  const [{ n }] = await statement.run<{ n: number }>(db, [
    options.cutoff,
    ...scope,
    options.limit,
    options.now,
    options.by.slice(0, 100),
  ]);
  return n;
}
