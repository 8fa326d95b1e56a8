import { Migration } from '@mikro-orm/migrations';
import { EVENT_DAY_BODY } from '../../event-store/entities/event-day.routine.js';

/**
 * The most a GIN index keeps in its pending list (kB; PostgreSQL's default is 4 MB). Every search
 * reads the whole list, and a day's search is one of several a page makes: at ten million events,
 * with no vacuum to empty it, the default list was 240 pages of each search's 250 for a rare data
 * filter. A writer empties it into the index when it is full, an eighth of the work as often.
 */
export const GIN_PENDING_LIST = "gin_pending_list_limit='512'";

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
 * Each is given a smaller pending list (GIN_PENDING_LIST).
 *
 * Online, so outside a transaction: each index is built again CONCURRENTLY under a new name,
 * then takes the old one's place (DROP INDEX CONCURRENTLY, then a rename, which holds the table
 * for an instant). At ten million events the three builds take about 15 minutes; reads and writes
 * go on meanwhile. Run again after an interruption, it keeps what was finished: an index already
 * keyed as wanted stays, a valid `_next` index is not built again, an invalid one is dropped.
 */
export class DayKeyedGinIndexes_20261203 extends Migration {
  override isTransactional(): boolean {
    return false;
  }

  override async up(): Promise<void> {
    await this.execute(`create or replace function ff_event_day(tenant varchar, at timestamptz)
      returns text immutable parallel safe language sql as $$ ${EVENT_DAY_BODY} $$`);
    for (const [name, column] of DAY_KEYED_INDEXES) {
      await this.rebuild(
        name,
        `tenant_id, ff_event_day(tenant_id, event_timestamp), ${column}`,
        `with (${GIN_PENDING_LIST}) `,
      );
    }
  }

  override async down(): Promise<void> {
    for (const [name, column] of DAY_KEYED_INDEXES) {
      await this.rebuild(name, `tenant_id, ${column}`, '');
    }
    await this.execute('drop function if exists ff_event_day(varchar, timestamptz)');
  }

  /** Index `name` on `keys`, built as `name_next` unless it or a valid `name_next` already is. */
  private async rebuild(name: string, keys: string, storage: string): Promise<void> {
    const wanted = `using gin (${keys}) ${storage}where is_valid`;
    const current = await this.index(name);
    const next = await this.index(`${name}_next`);
    if (current?.valid && current.keys === wanted) {
      if (next) await this.execute(`drop index concurrently ${name}_next`);
      return;
    }
    if (!next?.valid || next.keys !== wanted) {
      await this.execute(`drop index concurrently if exists ${name}_next`);
      await this.execute(`create index concurrently ${name}_next on ff_events ${wanted}`);
    }
    await this.execute(`drop index concurrently if exists ${name}`);
    await this.execute(`alter index ${name}_next rename to ${name}`);
  }

  /** Whether the index exists, is valid, and what follows its table in its definition. */
  private async index(name: string): Promise<{ valid: boolean; keys: string } | undefined> {
    const [row] = await this.execute(
      `select i.indisvalid as valid, pg_get_indexdef(i.indexrelid) as definition
       from pg_index as i where i.indexrelid = to_regclass(?)`,
      [name],
    );
    if (!row) return undefined;
    const definition = String(row.definition);
    return {
      valid: row.valid === true,
      keys: definition.slice(definition.indexOf(' USING ') + 1).toLowerCase(),
    };
  }
}
