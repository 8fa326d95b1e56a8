import { Migration } from '@mikro-orm/migrations';
import { BACKFILL_BATCH, PREFIX_TRIGGER } from './sql/description-prefixes.js';

/**
 * Events whose prefixes one backfill statement takes: a fraction of a second each. A writer
 * inserting a word start the running statement has inserted waits for it to end.
 */
const BACKFILL_IDS = 10_000;

/**
 * ff_description_prefixes: the word starts of each tenant's descriptions per slice, kept by
 * a statement-level trigger on ff_events (sql/description-prefixes.ts says why and what).
 *
 * Online, so outside a transaction: the table and the trigger come first (creating the trigger
 * holds ff_events against writes for an instant), then the existing events' prefixes, in batches
 * of ids, each its own short statement; writes go on meanwhile, and the trigger keeps theirs (one
 * that inserts a word start a batch has just inserted waits for that batch, under a second). The
 * backfill reads the whole table once. Run again after an interruption, it takes every batch
 * again: a prefix already kept is left as it is.
 */
export class AddDescriptionPrefixes_20261206 extends Migration {
  override isTransactional(): boolean {
    return false;
  }

  override async up(): Promise<void> {
    await this.execute(`create table if not exists ff_description_prefixes (
      tenant_id varchar(50) not null,
      prefix varchar(4) not null,
      slice timestamptz not null,
      primary key (tenant_id, prefix, slice)
    )`);
    for (const statement of PREFIX_TRIGGER) await this.execute(statement);
    const [range] = await this.execute(
      'select coalesce(min(id), 1) - 1 as first, coalesce(max(id), 0) as last from ff_events',
    );
    const last = Number((range as { last: string }).last);
    for (let from = Number((range as { first: string }).first); from < last; from += BACKFILL_IDS) {
      await this.execute(BACKFILL_BATCH, [from, Math.min(last, from + BACKFILL_IDS)]);
    }
  }

  override async down(): Promise<void> {
    await this.execute('drop trigger if exists ff_events_prefixes_insert on ff_events');
    await this.execute('drop function if exists ff_events_prefixes_insert()');
    await this.execute('drop table if exists ff_description_prefixes');
  }
}
