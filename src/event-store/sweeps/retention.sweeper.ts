import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Clock } from '../../common/clock.js';
import { EventMetrics } from '../../metrics/event.metrics.js';
import { INSTANCE_ID } from '../../common/instance-id.js';
import { AppConfig } from '../../config/app-config.js';
import { EventStore } from '../event.store.js';
import { InFlightTracker } from '../processing/in-flight.tracker.js';
import { Sweeper } from './sweeper.js';

/** Arbitrary but fixed: every instance takes the same lock to run retention. */
export const RETENTION_LOCK_KEY = 7_311_220_240_090;
const DAY_MS = 86_400_000;

export interface RetentionSweepReport {
  readonly [figure: string]: number | boolean;
  /** Another instance held the retention lock: this one did nothing. */
  readonly skipped: boolean;
  readonly softDeleted: number;
  readonly softDeleteBatches: number;
  readonly purged: number;
  readonly purgeBatches: number;
}

/**
 * SPEC §6: soft-deletes events older than EVENTS_RETENTION_DAYS and, when EVENTS_PURGE_AFTER_DAYS
 * is set, hard-deletes rows soft-deleted longer ago than that. The work is done in bounded
 * batches, each its own short transaction on its own connection, entirely inside PostgreSQL.
 *
 * One instance at a time: the run holds a transaction-scoped advisory lock in a separate,
 * otherwise idle transaction for its whole length. Another instance's tick finds it taken and
 * skips; if this process dies, its connection closes and the lock goes with it.
 */
@Injectable()
export class RetentionSweeper extends Sweeper<RetentionSweepReport> {
  constructor(
    private readonly em: EntityManager,
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    scheduler: SchedulerRegistry,
    tracker: InFlightTracker,
    metrics: EventMetrics,
    @InjectPinoLogger('RetentionSweeper') logger: PinoLogger,
  ) {
    super('retention', config.events.retentionSweepIntervalMs, scheduler, tracker, metrics, logger);
  }

  protected sweep(proceed: () => boolean): Promise<RetentionSweepReport> {
    return this.em.fork().transactional(async (lockHolder) => {
      const [{ locked }] = await lockHolder.execute<{ locked: boolean }[]>(
        'select pg_try_advisory_xact_lock(?) as locked',
        [RETENTION_LOCK_KEY],
      );
      const report = {
        skipped: !locked,
        softDeleted: 0,
        softDeleteBatches: 0,
        purged: 0,
        purgeBatches: 0,
      };
      if (!locked) return report;

      const now = this.clock.now().getTime();
      const { retentionDays, purgeAfterDays } = this.config.events;
      const deleted = await this.store.softDeleteOlderThan(new Date(now - retentionDays * DAY_MS), {
        by: `retention:${INSTANCE_ID}`,
        proceed,
        background: true,
      });
      report.softDeleted = deleted.rows;
      report.softDeleteBatches = deleted.batches;
      if (purgeAfterDays !== undefined && proceed()) {
        const purged = await this.store.purgeDeletedBefore(
          new Date(now - purgeAfterDays * DAY_MS),
          proceed,
        );
        report.purged = purged.rows;
        report.purgeBatches = purged.batches;
      }
      return report;
    });
  }
}
