import { Injectable } from '@nestjs/common';
import { SqlPool } from '../../database/sql.js';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Clock } from '../../common/clock.js';
import { EventMetrics } from '../../metrics/event.metrics.js';
import { AppConfig } from '../../config/app-config.js';
import { EventStatus } from '../entities/event-status.js';
import type { EventRow } from '../event-row.js';
import { INSTANCE_ID } from '../../common/instance-id.js';
import { EventPipeline } from '../processing/event.pipeline.js';
import { InFlightTracker } from '../processing/in-flight.tracker.js';
import { RetryPolicy } from '../processing/retry-policy.js';
import { claimDue } from '../store/claim-due.js';
import { claimStuck, type StuckDecision, type StuckEvent } from '../store/claim-stuck.js';
import { Sweeper } from './sweeper.js';

export interface RetrySweepReport {
  readonly [figure: string]: number;
  /** Due failures claimed and re-run. */
  readonly retried: number;
  /** Events found abandoned in Published or Retry and re-run. */
  readonly recovered: number;
  /** Abandoned events whose attempts were spent: declared dead instead. */
  readonly abandoned: number;
  /** Claim statements issued. */
  readonly batches: number;
}

/**
 * SPEC §4 invariants 4–8: re-runs the failed handlers of due events, batch after batch, and
 * recovers events whose process died mid-processing. Claims are made by the store with FOR
 * UPDATE SKIP LOCKED, so any number of instances can sweep the same database side by side.
 */
@Injectable()
export class RetrySweeper extends Sweeper<RetrySweepReport> {
  constructor(
    private readonly db: SqlPool,
    private readonly pipeline: EventPipeline,
    private readonly retryPolicy: RetryPolicy,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    scheduler: SchedulerRegistry,
    tracker: InFlightTracker,
    private readonly eventMetrics: EventMetrics,
    @InjectPinoLogger('RetrySweeper') logger: PinoLogger,
  ) {
    super('retry', config.events.retrySweepIntervalMs, scheduler, tracker, eventMetrics, logger);
  }

  protected async sweep(proceed: () => boolean): Promise<RetrySweepReport> {
    const { retryBatchSize: batchSize, stuckTimeoutMs } = this.config.events;
    const report = { retried: 0, recovered: 0, abandoned: 0, batches: 0 };

    const stuckBefore = new Date(this.clock.now().getTime() - stuckTimeoutMs);
    while (proceed()) {
      const rows = await claimStuck(
        this.db,
        stuckBefore,
        batchSize,
        (event) => this.decideStuck(event),
        this.stamp(),
      );
      report.batches += 1;
      const claimed = rows.filter((row) => row.event_status === EventStatus.Retry);
      for (const row of rows) {
        if (row.event_status === EventStatus.Retry) {
          this.eventMetrics.eventRetried(row.event_type);
          this.logger.warn(
            { ...logFields(row), attempt: row.process_count },
            'recovering an abandoned event',
          );
        } else {
          this.eventMetrics.eventDead(row.event_type);
          this.logger.warn(
            { ...logFields(row), attempts: row.process_count },
            'event dead: abandoned with no attempts left',
          );
        }
      }
      report.recovered += claimed.length;
      report.abandoned += rows.length - claimed.length;
      await this.rerun(claimed);
      if (rows.length < batchSize) break;
    }

    while (proceed()) {
      const rows = await claimDue(this.db, batchSize, this.stamp());
      report.batches += 1;
      for (const row of rows) {
        this.eventMetrics.eventRetried(row.event_type);
        this.logger.info({ ...logFields(row), attempt: row.process_count }, 'retrying event');
      }
      report.retried += rows.length;
      await this.rerun(rows);
      if (rows.length < batchSize) break;
    }
    return report;
  }

  /**
   * An abandoned event gets another attempt while the retry rule allows one; otherwise (a poison
   * event that kills every process that runs it) it is declared dead instead of looping.
   */
  private decideStuck({ processCount, maxRetryCount }: StuckEvent): StuckDecision {
    return this.retryPolicy.mayRetry(processCount, maxRetryCount)
      ? { retry: true }
      : {
          retry: false,
          reason: `abandoned: processing never finished in ${processCount} attempts`,
        };
  }

  private stamp() {
    return { now: this.clock.now(), actor: INSTANCE_ID.slice(0, 100) };
  }

  private async rerun(rows: EventRow[]): Promise<void> {
    await Promise.all(rows.map((row) => this.pipeline.rerun(row)));
  }
}

function logFields(row: EventRow) {
  return { eventId: row.event_id, eventType: row.event_type, tenantId: row.tenant_id };
}
