import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { SqlPool } from '../../database/sql.js';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Caller } from '../../access/caller.js';
import { Clock } from '../../common/clock.js';
import { INSTANCE_ID } from '../../common/instance-id.js';
import { AppConfig } from '../../config/app-config.js';
import { EventMetrics } from '../../metrics/event.metrics.js';
import { EventStatus } from '../entities/event-status.js';
import type { EventRow } from '../event-row.js';
import { EventPipeline } from '../processing/event.pipeline.js';
import { findEvent } from '../store/find-event.js';
import { readScope } from '../queries/read-scope.js';
import { claimFailed } from '../store/claim-failed.js';
import { inBatches, type BatchesResult } from '../store/in-batches.js';
import { markProcessed } from '../store/mark-processed.js';
import { softDeleteBatch } from '../store/soft-delete-batch.js';

const DAY_MS = 86_400_000;

/**
 * The operations of SPEC §5 that change events on request: retry now, mark processed, cleanup.
 * Each acts within the caller's tenant only: every statement names it.
 */
@Injectable()
export class EventOperations {
  constructor(
    private readonly db: SqlPool,
    private readonly pipeline: EventPipeline,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly metrics: EventMetrics,
    @InjectPinoLogger('EventOperations') private readonly logger: PinoLogger,
  ) {}

  /**
   * Claims a Failed event (dead ones included) and re-runs its failed handlers now; resolves with
   * the row once their outcomes are recorded. 404 for an id the caller cannot see; 409 when the
   * event is not Failed (a retry already in progress, or nothing to retry).
   */
  async retryNow(caller: Caller, eventId: string): Promise<EventRow> {
    const claimed = await claimFailed(
      this.db,
      { eventId, tenantId: caller.tenantId },
      { now: this.clock.now(), actor: INSTANCE_ID.slice(0, 100) },
    );
    if (!claimed) {
      const current = await this.visible(caller, eventId);
      throw new ConflictException(
        `event ${eventId} is ${current.event_status}; only a Failed event can be retried`,
      );
    }
    this.metrics.eventRetried(claimed.event_type);
    this.logger.info(
      { ...logFields(claimed), attempt: claimed.process_count },
      'retry requested by hand',
    );
    await this.pipeline.rerun(claimed);
    return this.visible(caller, eventId);
  }

  /**
   * Closes an event by hand (an operator fixed its effects elsewhere). Already Processed: returned
   * unchanged. 409 while a retry is running, whose outcome would race the manual close.
   */
  async markProcessed(caller: Caller, eventId: string): Promise<EventRow> {
    const by = `api:${caller.operator ? 'operator' : caller.tenantId}`;
    const marked = await markProcessed(
      this.db,
      { eventId, tenantId: caller.tenantId },
      { now: this.clock.now(), by },
    );
    if (marked) {
      this.metrics.eventProcessed(marked.event_type);
      this.logger.info({ ...logFields(marked), by }, 'event marked processed by hand');
      return marked;
    }
    const current = await this.visible(caller, eventId);
    if (current.event_status === EventStatus.Processed) return current;
    throw new ConflictException(
      `event ${eventId} is being retried; mark it processed once the retry has finished`,
    );
  }

  /** Soft-deletes the caller's tenant's events older than the given number of days. */
  async cleanup(caller: Caller, olderThanDays: number): Promise<BatchesResult> {
    const now = this.clock.now();
    const cutoff = new Date(now.getTime() - olderThanDays * DAY_MS);
    const started = performance.now();
    const limit = this.config.events.cleanupBatchSize;
    const by = `api:${caller.operator ? 'operator' : caller.tenantId}`;
    const result = await inBatches(
      () =>
        softDeleteBatch(this.db, {
          cutoff,
          tenantId: caller.tenantId,
          limit,
          now: this.clock.now(),
          by,
        }),
      { batchSize: limit },
    );
    this.logger.info(
      {
        tenantId: caller.tenantId,
        olderThanDays,
        cutoff: cutoff.toISOString(),
        ...result,
        durationMs: Math.round(performance.now() - started),
      },
      'cleanup finished',
    );
    return result;
  }

  private async visible(caller: Caller, eventId: string): Promise<EventRow> {
    const row = await findEvent(this.db, readScope(caller), eventId);
    if (!row) throw new NotFoundException(`event ${eventId} not found`);
    return row;
  }
}

function logFields(row: EventRow) {
  return { eventId: row.event_id, eventType: row.event_type, tenantId: row.tenant_id };
}
