import { Migration } from '@mikro-orm/migrations';
import { buildIndexConcurrently } from './sql/concurrent-index.js';

/**
 * A tenant's failures due for a retry, the longest-waiting first (next_retry_at, then id): GET
 * /api/events/failed. The retry sweep's index (idx_ff_events_retry) is in next_retry_at order
 * across tenants, with the tenant last and no id, so the route took every due failure of the
 * tenant from it, visiting each in the heap, and sorted them to return the first 100: the more
 * retries piled up, the slower the list people open when they do (6,038 due failures of one
 * tenant: 708 ms, at 3.4 million events, not vacuumed). In this index's order the route reads its
 * page and stops. It holds the same rows as idx_ff_events_retry (those awaiting a retry, a few in
 * a hundred), and the columns it adds never change, so it costs writes only where that one does.
 *
 * Online, so outside a transaction: built CONCURRENTLY (buildIndexConcurrently).
 */
export class AddFailedListIndex_20261206 extends Migration {
  override isTransactional(): boolean {
    return false;
  }

  override async up(): Promise<void> {
    await buildIndexConcurrently(
      this,
      'idx_ff_events_tenant_failed_due',
      '(tenant_id, next_retry_at, id) where requires_retry and is_valid',
    );
  }

  override async down(): Promise<void> {
    await this.execute('drop index concurrently if exists idx_ff_events_tenant_failed_due');
  }
}
