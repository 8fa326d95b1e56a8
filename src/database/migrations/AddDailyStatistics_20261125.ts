import { Migration } from '@mikro-orm/migrations';
import {
  ALL_TIERS,
  DAILY_FROM_HOURLY,
  HOURLY,
  rebuildStatements,
  triggerFunctions,
} from './sql/statistics-rollup.js';

/**
 * A daily tier of the statistics rollups. Statistics over 90 days summed about 45,000 hourly
 * buckets per tenant; the same window in days is about 24 times fewer rows. The day tier also
 * gives a page's exact total for the filters it carries (tenant, type, status, source) in a few
 * thousand rows at most.
 *
 * Writers are kept out while the trigger functions change and the days are summed from the hours
 * (SHARE lock on ff_events, as stats:rebuild takes), so no statement is counted in one tier and
 * not the other; at 1,000,000 events that is about a second. Reads go on: the triggers themselves
 * are not touched (see triggerFunctions).
 */
export class AddDailyStatistics_20261125 extends Migration {
  override up(): void {
    // Writers wait (as under stats:rebuild's SHARE lock); reads go on. This mode also lets the
    // TRUNCATE trigger be created without asking for a stronger lock later.
    this.addSql('lock table ff_events in share row exclusive mode');
    this.addSql(`create table ff_event_stats_daily (
      tenant_id varchar(50) not null,
      day date not null,
      event_type varchar(100) not null,
      event_source varchar(50) not null,
      event_status varchar(20) not null,
      dead boolean not null,
      events bigint not null default 0,
      retries bigint not null default 0,
      timed bigint not null default 0,
      duration_ms_sum double precision not null default 0,
      primary key (tenant_id, day, event_type, event_source, event_status, dead)
    )`);
    this.addSql(`create table ff_event_stats_durations_daily (
      tenant_id varchar(50) not null,
      day date not null,
      event_type varchar(100) not null,
      bucket smallint not null,
      events bigint not null default 0,
      primary key (tenant_id, day, event_type, bucket)
    )`);
    for (const statement of triggerFunctions(ALL_TIERS)) this.addSql(statement);
    // Hours were cut in the writer's time zone before; one a half hour off UTC cut other hours,
    // which no UTC day would sum. Only then are the hours counted again from the events.
    this.addSql(`do $$ begin
      if exists (select 1 from ff_event_stats where hour <> date_trunc('hour', hour, 'UTC')) then
        ${rebuildStatements([HOURLY]).join(';\n')};
      end if;
    end $$`);
    for (const statement of DAILY_FROM_HOURLY) this.addSql(statement);
    // TRUNCATE fires no DELETE trigger: without this, rollups would go on counting every event
    // a TRUNCATE took away (the benchmark's resets between scenarios found it).
    this.addSql(`create or replace function ff_events_stats_truncate() returns trigger
      language plpgsql as $$ begin
        truncate ${ALL_TIERS.flatMap((tier) => [tier.counts, tier.durations]).join(', ')};
        return null;
      end $$`);
    this.addSql(`create trigger ff_events_stats_truncate after truncate on ff_events
      for each statement execute function ff_events_stats_truncate()`);
  }

  override down(): void {
    this.addSql('drop trigger if exists ff_events_stats_truncate on ff_events');
    this.addSql('drop function if exists ff_events_stats_truncate()');
    for (const statement of triggerFunctions([HOURLY])) this.addSql(statement);
    this.addSql('drop table if exists ff_event_stats_durations_daily');
    this.addSql('drop table if exists ff_event_stats_daily');
  }
}
