import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Clock } from '../../common/clock.js';
import { EventMetrics } from '../../metrics/event.metrics.js';
import { INSTANCE_ID } from '../../common/instance-id.js';
import { AppConfig } from '../../config/app-config.js';
import { BoundSql, SqlPool } from '../../database/sql.js';
import { inBatches } from '../store/in-batches.js';
import { purgeBatch } from '../store/purge-batch.js';
import { softDeleteBatch } from '../store/soft-delete-batch.js';
import { InFlightTracker } from '../processing/in-flight.tracker.js';
import { Sweeper } from './sweeper.js';

/** Arbitrary but fixed: every instance takes the same lock to run retention. */
export const RETENTION_LOCK_KEY = 7_311_220_240_090;
const DAY_MS = 86_400_000;

/** Held by the run's otherwise idle transaction: a second instance's tick finds it taken. */
const TRY_RETENTION_LOCK = new BoundSql('select pg_try_advisory_xact_lock(?) as locked');

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
    private readonly db: SqlPool,
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
    return this.db.transaction(async (lockHolder) => {
      const [{ locked }] = await TRY_RETENTION_LOCK.run<{ locked: boolean }>(lockHolder, [
        RETENTION_LOCK_KEY,
      ]);
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
      const batchSize = this.config.events.cleanupBatchSize;
      const cutoff = new Date(now - retentionDays * DAY_MS);
      const deleted = await inBatches(
        () =>
          softDeleteBatch(this.db, {
            cutoff,
            limit: batchSize,
            now: this.clock.now(),
            by: `retention:${INSTANCE_ID}`,
          }),
        { batchSize, proceed, background: true },
      );
      report.softDeleted = deleted.rows;
      report.softDeleteBatches = deleted.batches;
      if (purgeAfterDays !== undefined && proceed()) {
        const purgeCutoff = new Date(now - purgeAfterDays * DAY_MS);
        const purged = await inBatches(
          () => purgeBatch(this.db, { cutoff: purgeCutoff, limit: batchSize }),
          { batchSize, proceed, background: true },
        );
        report.purged = purged.rows;
        report.purgeBatches = purged.batches;
      }
      return report;
    });
  }
}
