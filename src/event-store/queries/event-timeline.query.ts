import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock.js';
import { toDate } from '../../common/timestamp.js';
import { ReadPool } from '../../database/read-pool.js';
import { BoundSql, type SqlExecutor } from '../../database/sql.js';
import type { ReadScope } from './read-scope.js';

const HOUR_MS = 3_600_000;

export type TimelineBucket = 'hour' | 'day';

export interface TimelinePoint {
  /** The bucket's start, UTC. */
  readonly at: string;
  readonly total: number;
  readonly processed: number;
  readonly failed: number;
}

export interface EventTimeline {
  readonly from: string;
  readonly to: string;
  readonly bucket: TimelineBucket;
  readonly points: TimelinePoint[];
}

/**
 * Events per hour or day of event time, from the hourly rollups (cost: the window's hours), every
 * bucket of the window present, empty ones as zeros, so that a chart's x axis is the time itself.
 */
const TIMELINE = new BoundSql(`
  select b.at, coalesce(sum(s.events), 0)::float8 as total,
    coalesce(sum(s.events) filter (where s.event_status = 'Processed'), 0)::float8 as processed,
    coalesce(sum(s.events) filter (where s.event_status = 'Failed'), 0)::float8 as failed
  -- The series steps through UTC wall-clock time (timestamp without time zone): stepping a
  -- timestamptz by '1 day' would follow the session's time zone across daylight saving.
  from generate_series(date_trunc(?, ?::timestamptz at time zone 'UTC'),
      ?::timestamptz at time zone 'UTC', ?::interval) as g(utc)
  cross join lateral (select g.utc at time zone 'UTC' as at) as b
  left join ff_event_stats s
    on s.tenant_id = ? and s.hour >= b.at and s.hour < b.at + ?::interval and s.hour >= ?
  group by b.at
  order by b.at`);

@Injectable()
export class EventTimelineQuery {
  constructor(
    @Inject(ReadPool) private readonly db: SqlExecutor,
    private readonly clock: Clock,
  ) {}

  /** The last `days` days, through the current hour. */
  async compute(scope: ReadScope, days: number, bucket: TimelineBucket): Promise<EventTimeline> {
    const to = this.clock.now();
    const from = new Date(Math.floor(to.getTime() / HOUR_MS) * HOUR_MS - (days * 24 - 1) * HOUR_MS);
    const step = `1 ${bucket}`;
    const rows = await TIMELINE.run<{
      at: Date | string;
      total: number;
      processed: number;
      failed: number;
    }>(this.db, [bucket, from, to, step, scope.tenantId, step, from]);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      bucket,
      points: rows.map((row) => ({
        at: toDate(row.at).toISOString(),
        total: row.total,
        processed: row.processed,
        failed: row.failed,
      })),
    };
  }
}
