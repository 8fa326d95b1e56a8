import { Migration } from '@mikro-orm/migrations';

/** Rows given a stream position per statement of the backfill: each batch commits on its own. */
const BACKFILL_BATCH = 10_000;

/**
 * The event stream (SPEC §11). Every event gets a stream position: the id of the transaction that
 * wrote it (`tx_id`, xid8, defaulted from pg_current_xact_id()) with its row id. Readers take the
 * rows below pg_snapshot_xmin(pg_current_snapshot()) in (tx_id, id) order, which no commit order
 * can make them skip (see read-stream.ts).
 *
 * Written to run online against a large table, so it runs outside a transaction:
 * - the column is added without a default and the default set after: neither rewrites the table;
 * - existing rows get tx_id 0 (before every real transaction id, in id order) in batches of
 *   BACKFILL_BATCH, each its own short transaction; rows written meanwhile by an older instance
 *   take the default;
 * - NOT NULL is proven by a check constraint validated without blocking writes, which SET NOT
 *   NULL then trusts instead of scanning the table under an exclusive lock;
 * - the indexes are built CONCURRENTLY.
 *
 * Also: a statement-level trigger that NOTIFYs `ff_events` after every insert (a bare wake-up:
 * NOTIFY is delivered at commit and may be lost, so readers also poll), and the tables of
 * in-process subscriptions: their checkpoints and leases, and their parked events.
 */
export class AddEventStream_20261125 extends Migration {
  override isTransactional(): boolean {
    return false;
  }

  override async up(): Promise<void> {
    await this.execute('alter table ff_events add column if not exists tx_id xid8');
    await this.execute('alter table ff_events alter column tx_id set default pg_current_xact_id()');
    for (;;) {
      const done = await this.execute(`
        with batch as (
          select id from ff_events where tx_id is null limit ${BACKFILL_BATCH} for update skip locked
        )
        update ff_events as e set tx_id = '0' from batch where e.id = batch.id returning 1`);
      if (done.length > 0) continue;
      const [left] = await this.execute(
        'select exists (select 1 from ff_events where tx_id is null) as left',
      );
      if (!(left as { pending: boolean }).pending) break;
    }
    await this.execute(`alter table ff_events add constraint ff_events_tx_id_not_null
      check (tx_id is not null) not valid`);
    await this.execute('alter table ff_events validate constraint ff_events_tx_id_not_null');
    await this.execute('alter table ff_events alter column tx_id set not null');
    await this.execute('alter table ff_events drop constraint ff_events_tx_id_not_null');
    await this.execute(`create index concurrently if not exists idx_ff_events_stream
      on ff_events (tx_id, id) where is_valid`);
    await this.execute(`create index concurrently if not exists idx_ff_events_tenant_stream
      on ff_events (tenant_id, tx_id, id) where is_valid`);

    await this.execute(`create or replace function ff_events_notify() returns trigger
      language plpgsql as $$ begin perform pg_notify('ff_events', ''); return null; end $$`);
    await this.execute('drop trigger if exists ff_events_notify on ff_events');
    await this.execute(`create trigger ff_events_notify after insert on ff_events
      for each statement execute function ff_events_notify()`);

    await this.execute(`create table if not exists ff_event_subscriptions (
      name varchar(100) primary key,
      position_tx xid8 not null default '0',
      position_id bigint not null default 0,
      lease_owner varchar(100) null,
      lease_epoch bigint not null default 0,
      lease_expires_at timestamptz null,
      delivered bigint not null default 0,
      last_delivered_at timestamptz null,
      last_error varchar(2000) null,
      updated_at timestamptz not null default now()
    )`);
    await this.execute(`create table if not exists ff_event_subscription_parked (
      subscription varchar(100) not null,
      event_id varchar(100) not null,
      event_row_id bigint not null,
      attempts int not null,
      error varchar(2000) not null,
      parked_at timestamptz not null default now(),
      primary key (subscription, event_id)
    )`);
  }

  override async down(): Promise<void> {
    await this.execute('drop table if exists ff_event_subscription_parked');
    await this.execute('drop table if exists ff_event_subscriptions');
    await this.execute('drop trigger if exists ff_events_notify on ff_events');
    await this.execute('drop function if exists ff_events_notify()');
    await this.execute('drop index concurrently if exists idx_ff_events_tenant_stream');
    await this.execute('drop index concurrently if exists idx_ff_events_stream');
    await this.execute('alter table ff_events drop column if exists tx_id');
  }
}
