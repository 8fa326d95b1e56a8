import { ConcurrentIndexMigration } from './sql/concurrent-index.js';

/**
 * A tenant's failures due for a retry, the longest-waiting first (next_retry_at, then id): GET
 * /api/events/failed. The retry sweep's index (idx_ff_events_retry) is in next_retry_at order
 * across tenants, with the tenant last and no id. The planner takes `event_status = 'Failed'`,
 * `requires_retry` and a due next_retry_at, which go together, as independent, expects one row,
 * and so took every due failure of the tenant from that index, visiting each in the heap, and
 * sorted them to return the first 100: the more retries piled up, the slower the list people open
 * when they do (1,887 due failures of one tenant at a million events: 88 ms, not vacuumed; 6,038
 * at 3.4 million: 708 ms). This index holds exactly the rows the list asks for, in its order, so
 * the list reads its page and stops; with the status in its predicate as well, the planner costs
 * it for what it is (an index holding only the requires_retry rows was costed 68 against 63 for
 * the sort, and not taken). Its rows are some of idx_ff_events_retry's (waiting, and not claimed
 * by a retry), whose writes are the only ones it adds to.
 *
 * Online, so outside a transaction: built CONCURRENTLY (ConcurrentIndexMigration).
 */
export class AddFailedListIndex_20261206 extends ConcurrentIndexMigration {
  protected readonly index = 'idx_ff_events_tenant_failed_due';
  protected readonly definition = `(tenant_id, next_retry_at, id) where requires_retry and is_valid and event_status = 'Failed'`;
}
