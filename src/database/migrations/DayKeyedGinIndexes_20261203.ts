import { Migration } from '@mikro-orm/migrations';
import { EVENT_DAY_BODY } from '../../event-store/entities/event-day.routine.js';

/** Each index, by name, and the column it indexes after tenant_id (and the day). */
export const DAY_KEYED_INDEXES = [
  ['idx_ff_events_tags_gin', 'event_tags'],
  ['idx_ff_events_data_gin', 'event_data jsonb_path_ops'],
  ['idx_ff_events_description_trgm', 'event_description gin_trgm_ops'],
] as const;

/**
 * A tenant-day key (ff_event_day, see event-day.routine.ts) in the GIN indexes of tags, data and
 * descriptions. GIN keeps no order: without the day, the first page of a filter that 1,700 of a
 * tenant's million events pass visited all 1,700 in the heap to find the newest 21 (1.0 s at ten
 * million events, not vacuumed); one day holds about 20 of them.
 *
 * Online, so outside a transaction: each index is built again CONCURRENTLY under a new name,
 * then takes the old one's place (DROP INDEX CONCURRENTLY, then a rename, which holds the table
 * for an instant). At ten million events the three builds take about 15 minutes; reads and writes
 * go on meanwhile.
 */
export class DayKeyedGinIndexes_20261203 extends Migration {
  override isTransactional(): boolean {
    return false;
  }

  override async up(): Promise<void> {
    await this.execute(`create or replace function ff_event_day(tenant varchar, at timestamptz)
      returns text immutable language sql as $$ ${EVENT_DAY_BODY} $$`);
    for (const [name, column] of DAY_KEYED_INDEXES) {
      await this.rebuild(name, `tenant_id, ff_event_day(tenant_id, event_timestamp), ${column}`);
    }
  }

  override async down(): Promise<void> {
    for (const [name, column] of DAY_KEYED_INDEXES)
      await this.rebuild(name, `tenant_id, ${column}`);
    await this.execute('drop function if exists ff_event_day(varchar, timestamptz)');
  }

  /** A build interrupted before its rename leaves an invalid `_next` index: it is dropped first. */
  private async rebuild(name: string, keys: string): Promise<void> {
    await this.execute(`drop index concurrently if exists ${name}_next`);
    await this.execute(`create index concurrently ${name}_next on ff_events
      using gin (${keys}) where is_valid`);
    await this.execute(`drop index concurrently if exists ${name}`);
    await this.execute(`alter index ${name}_next rename to ${name}`);
  }
}
