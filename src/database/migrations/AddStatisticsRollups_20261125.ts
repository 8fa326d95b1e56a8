import { Migration } from '@mikro-orm/migrations';
import {
  HOURLY,
  TRIGGER_DELTAS,
  rebuildStatements,
  triggerStatements,
} from './sql/statistics-rollup.js';

/**
 * Statistics in constant time (GET /api/events/statistics): per-tenant hourly rollups kept by
 * PostgreSQL itself, so that every writer (the write path, outcome recording, sweeps, retention,
 * an older instance during a deploy, a hand-run UPDATE) keeps them exact.
 *
 * Statement-level AFTER triggers with transition tables turn each statement's rows into deltas
 * (an update moves a row from its old bucket to its new one), summed and upserted per bucket: see
 * sql/statistics-rollup.ts. ff_event_stats holds the counts, the retries made (process_count - 1)
 * and the processing-time sum; ff_event_stats_durations a histogram of processing times for the
 * p95. Existing rows are counted at the end (npm run stats:rebuild does the same on demand).
 */
export class AddStatisticsRollups_20261125 extends Migration {
  override up(): void {
    this.addSql(`create table ff_event_stats (
      tenant_id varchar(50) not null,
      hour timestamptz not null,
      event_type varchar(100) not null,
      event_source varchar(50) not null,
      event_status varchar(20) not null,
      dead boolean not null,
      events bigint not null default 0,
      retries bigint not null default 0,
      timed bigint not null default 0,
      duration_ms_sum double precision not null default 0,
      primary key (tenant_id, hour, event_type, event_source, event_status, dead)
    )`);
    this.addSql(`create table ff_event_stats_durations (
      tenant_id varchar(50) not null,
      hour timestamptz not null,
      event_type varchar(100) not null,
      bucket smallint not null,
      events bigint not null default 0,
      primary key (tenant_id, hour, event_type, bucket)
    )`);

    // The hourly tier only, as this migration first installed it; the daily one came later.
    for (const statement of triggerStatements([HOURLY])) this.addSql(statement);
    for (const statement of rebuildStatements([HOURLY])) this.addSql(statement);
  }

  override down(): void {
    for (const operation of Object.keys(TRIGGER_DELTAS)) {
      this.addSql(`drop trigger if exists ff_events_stats_${operation} on ff_events`);
      this.addSql(`drop function if exists ff_events_stats_${operation}()`);
    }
    this.addSql('drop table if exists ff_event_stats_durations');
    this.addSql('drop table if exists ff_event_stats');
  }
}
