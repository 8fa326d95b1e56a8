import { BoundSql } from '../../database/sql.js';
import type { SqlExecutor } from '../../database/sql.js';

/** Hard-deletes one batch of rows soft-deleted before the cutoff, via idx_ff_events_purge. */
const PURGE = new BoundSql(`
  with batch as (
    select id from ff_events
    where not is_valid and modify_date < ?
    order by modify_date
    limit ?
    for update skip locked
  ), purged as (
    delete from ff_events as e using batch where e.id = batch.id returning 1
  )
  select count(*)::int as n from purged`);

/** Rows purged by this batch; fewer than `limit` means nothing older is left. */
export async function purgeBatch(
  db: SqlExecutor,
  { cutoff, limit }: { cutoff: Date; limit: number },
): Promise<number> {
  const [{ n }] = await PURGE.run<{ n: number }>(db, [cutoff, limit]);
  return n;
}
