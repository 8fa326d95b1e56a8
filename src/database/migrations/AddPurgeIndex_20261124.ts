import { Migration } from '@mikro-orm/migrations';

/**
 * The purge (EVENTS_PURGE_AFTER_DAYS) looks for rows soft-deleted before a cutoff. Every index of
 * CreateEventsTable_20241220 is partial on is_valid, so without this one each purge batch would
 * scan the table. Partial on NOT is_valid, it costs nothing for live rows: only the soft delete
 * (already a non-HOT update) writes to it.
 */
export class AddPurgeIndex_20261124 extends Migration {
  override up(): void {
    this.addSql(`create index idx_ff_events_purge on ff_events (modify_date) where not is_valid`);
  }

  override down(): void {
    this.addSql(`drop index if exists idx_ff_events_purge`);
  }
}
