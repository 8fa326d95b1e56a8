import { ConcurrentIndexMigration } from './sql/concurrent-index.js';

/**
 * The tenant's events that await a retry, by event time: pages of `requiresRetry=true`. About one
 * event in a hundred awaits one, spread over the tenant's time index, so a page walked that index
 * and visited a hundred events in the heap for each it kept (1,084 for a page of 21, 126 ms at
 * ten million events, not vacuumed). This partial index holds only them: an event enters it
 * when it fails and leaves when it no longer needs a retry, and most are never in it.
 *
 * Online, so outside a transaction: built CONCURRENTLY (about a minute at ten million events).
 * An invalid index that an interrupted run left behind is dropped and built again.
 */
export class AddRetryPageIndex_20261204 extends ConcurrentIndexMigration {
  protected readonly index = 'idx_ff_events_tenant_retry_time';
  protected readonly definition =
    '(tenant_id, event_timestamp desc) where requires_retry and is_valid';
}
