import { Migration } from '@mikro-orm/migrations';

/**
 * Bulk retry by filter (the console's "retry everything that matches") works in two steps: the
 * matched Failed events are frozen into a selection, whose count the person sees, and only that
 * set is then retried. An event that fails after the preview was never seen and is not touched.
 * A selection is run once and expires after a while; expired ones are deleted by the next one.
 */
export class AddRetrySelections_20261125 extends Migration {
  override up(): void {
    this.addSql(`
      create table ff_retry_selections (
        id uuid primary key,
        tenant_id varchar(50) not null,
        filter jsonb not null,
        event_row_ids bigint[] not null,
        matched int not null,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        retried_at timestamptz null
      )`);
    this.addSql(`create index idx_ff_retry_selections_expires on ff_retry_selections (expires_at)`);
  }

  override down(): void {
    this.addSql(`drop table if exists ff_retry_selections`);
  }
}
