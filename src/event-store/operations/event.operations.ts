import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Caller } from '../../access/caller.js';
import { Clock } from '../../common/clock.js';
import { EventStatus } from '../entities/event-status.js';
import type { EventRow } from '../event-row.js';
import { EventStore, type CleanupResult } from '../event.store.js';
import { EventPipeline } from '../processing/event.pipeline.js';
import { EventQueries } from '../queries/event.queries.js';
import { readScope } from '../queries/read-scope.js';

const DAY_MS = 86_400_000;

/** The operations of SPEC §5 that change events on request: retry now, mark processed, cleanup. */
@Injectable()
export class EventOperations {
  constructor(
    private readonly store: EventStore,
    private readonly queries: EventQueries,
    private readonly pipeline: EventPipeline,
    private readonly clock: Clock,
    @InjectPinoLogger('EventOperations') private readonly logger: PinoLogger,
  ) {}

  /**
   * Claims a Failed event (dead ones included) and re-runs its failed handlers now; resolves with
   * the row once their outcomes are recorded. 404 for an id the caller cannot see; 409 when the
   * event is not Failed (a retry already in progress, or nothing to retry).
   */
  async retryNow(caller: Caller, eventId: string): Promise<EventRow> {
    const claimed = await this.store.claimFailed(caller.tenantId, eventId);
    if (!claimed) {
      const current = await this.visible(caller, eventId);
      throw new ConflictException(
        `event ${eventId} is ${current.event_status}; only a Failed event can be retried`,
      );
    }
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
    const marked = await this.store.markProcessed(caller.tenantId, eventId, by);
    if (marked) {
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
  async cleanup(caller: Caller, olderThanDays: number): Promise<CleanupResult> {
    const cutoff = new Date(this.clock.now().getTime() - olderThanDays * DAY_MS);
    const started = performance.now();
    const result = await this.store.softDeleteOlderThan(cutoff, {
      tenantId: caller.tenantId,
      by: `api:${caller.operator ? 'operator' : caller.tenantId}`,
    });
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
    const row = await this.queries.byEventId(readScope(caller), eventId);
    if (!row) throw new NotFoundException(`event ${eventId} not found`);
    return row;
  }
}

function logFields(row: EventRow) {
  return { eventId: row.event_id, eventType: row.event_type, tenantId: row.tenant_id };
}
