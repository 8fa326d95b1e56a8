import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AppConfig } from '../config/app-config.js';
import { Clock } from '../common/clock.js';
import { EventMetrics } from '../metrics/event.metrics.js';
import { INSTANCE_ID, PROCESSOR_VERSION } from '../common/instance-id.js';
import { truncate, truncateOptional } from '../common/truncate.js';
import { EventStatus } from './entities/event-status.js';
import { StoredEvent } from './entities/stored-event.entity.js';
import type { EventEnvelope } from './event-envelope.js';
import type { EventRow } from './event-row.js';
import {
  applyOutcome,
  handlersOf,
  pendingHandlers,
  type HandlerOutcome,
  type ProcessingState,
  type ProcessingUpdate,
} from './processing/handler-outcome.js';
import { RetryPolicy } from './processing/retry-policy.js';

/** An event to store, with the processing handlers its type has (possibly none). */
export interface PendingEvent {
  readonly envelope: EventEnvelope;
  readonly handlers: readonly string[];
}

/**
 * Inserts any number of events in one statement: the batch travels as one jsonb parameter and
 * jsonb_to_recordset turns it into rows, so a batch of 500 costs one round trip and one plan, and
 * no parameter limit applies. ON CONFLICT DO NOTHING on the unique event_id makes a repeat (a
 * re-publish, a retry, a concurrent duplicate) a no-op rather than an error; RETURNING tells which
 * rows were new.
 */
const INSERT_EVENTS = `
  insert into ff_events (event_id, event_type, event_version, event_timestamp, aggregate_id,
    aggregate_type, event_source, event_data, event_metadata, event_description, event_status,
    process_count, last_processed_at, related_entity_id, related_entity_type, event_tags,
    max_retry_count, tenant_id, create_date, create_by, modify_date, modify_by)
  select r.event_id, r.event_type, r.event_version, r.event_timestamp, r.aggregate_id,
    r.aggregate_type, r.event_source, r.event_data, r.event_metadata, r.event_description,
    r.event_status, 1, r.now, r.related_entity_id, r.related_entity_type, r.event_tags,
    r.max_retry_count, r.tenant_id, r.now, r.actor, r.now, r.actor
  from jsonb_to_recordset(?::jsonb) as r(event_id varchar, event_type varchar,
    event_version varchar, event_timestamp timestamptz, aggregate_id bigint,
    aggregate_type varchar, event_source varchar, event_data jsonb, event_metadata jsonb,
    event_description varchar, event_status varchar, related_entity_id bigint,
    related_entity_type varchar, event_tags jsonb, max_retry_count int, tenant_id varchar,
    now timestamptz, actor varchar)
  on conflict (event_id) do nothing
  returning event_id, event_type, event_status`;

const LOCK_EVENT = `
  select event_status, event_metadata, process_count, max_retry_count, next_retry_at
  from ff_events where event_id = ? for update`;

const UPDATE_OUTCOME = `
  update ff_events
  set event_status = ?, event_metadata = ?::jsonb, error_message = ?, requires_retry = ?,
      next_retry_at = ?, modify_date = ?, modify_by = ?
  where event_id = ?`;

/**
 * Claims one Failed event for a retry run: Retry marks it as in progress (a concurrent claim or
 * sweep sees it is no longer Failed), and the claim is an attempt, so process_count and
 * last_processed_at move now. A dead event (requires_retry false) can be claimed too: an
 * operator may retry it by hand.
 */
const CLAIM_FAILED = `
  update ff_events
  set event_status = 'Retry', process_count = process_count + 1, last_processed_at = ?,
      modify_date = ?, modify_by = ?
  where event_id = ? and tenant_id = ? and is_valid and event_status = 'Failed'
  returning *`;

/**
 * The retry sweep's claim: a small batch of due failures, oldest due first, through
 * idx_ff_events_retry (partial on requires_retry and is_valid, so it holds only waiting rows).
 * SKIP LOCKED lets several instances claim side by side without waiting on each other, and the
 * status re-check that FOR UPDATE does on a row another instance has just claimed drops it from
 * this batch: no event is claimed twice for the same due time. The claim commits at once, so a
 * crashed instance leaves Retry rows that the stuck recovery below picks up after the timeout.
 */
const CLAIM_DUE = `
  with due as (
    select id from ff_events
    where requires_retry and is_valid and event_status = 'Failed' and next_retry_at <= ?
    order by next_retry_at
    limit ?
    for update skip locked
  )
  update ff_events as e
  set event_status = 'Retry', process_count = e.process_count + 1, last_processed_at = ?,
      modify_date = ?, modify_by = ?
  from due where e.id = due.id
  returning e.*`;

/**
 * Events left Published or Retry since before the cutoff: their process died mid-processing.
 * Each is claimed for another attempt while attempts remain; one whose attempts are spent (a
 * poison event that kills every process that runs it) is declared dead instead of looping.
 */
const CLAIM_STUCK = `
  with stuck as (
    select id from ff_events
    where is_valid and event_status in ('Published', 'Retry') and modify_date < ?
    order by modify_date
    limit ?
    for update skip locked
  )
  update ff_events as e
  set event_status = case when e.process_count - 1 < e.max_retry_count then 'Retry' else 'Failed' end,
      process_count = case when e.process_count - 1 < e.max_retry_count
        then e.process_count + 1 else e.process_count end,
      requires_retry = false,
      next_retry_at = null,
      error_message = case when e.process_count - 1 < e.max_retry_count then e.error_message
        else left('abandoned: processing never finished in ' || e.process_count || ' attempts', 2000)
        end,
      last_processed_at = ?, modify_date = ?, modify_by = ?
  from stuck where e.id = stuck.id
  returning e.*`;

/** Hard-deletes one batch of rows soft-deleted before the cutoff, via idx_ff_events_purge. */
const PURGE_BATCH = `
  with batch as (
    select id from ff_events
    where not is_valid and modify_date < ?
    order by modify_date
    limit ?
    for update skip locked
  ), purged as (
    delete from ff_events as e using batch where e.id = batch.id returning 1
  )
  select count(*)::int as n from purged`;

/** An operator closes an event by hand; the metadata records who and when. */
const MARK_PROCESSED = `
  update ff_events
  set event_status = 'Processed', requires_retry = false, next_retry_at = null,
      event_metadata = event_metadata || jsonb_build_object('markedProcessed',
        jsonb_build_object('at', ?::text, 'by', ?::text)),
      modify_date = ?, modify_by = ?
  where event_id = ? and tenant_id = ? and is_valid and event_status in ('Published', 'Failed')
  returning *`;

/** A claimed event with no handler left to run has nothing to wait for. */
const SETTLE_CLAIM = `
  update ff_events
  set event_status = 'Processed', requires_retry = false, next_retry_at = null,
      modify_date = ?, modify_by = ?
  where event_id = ? and event_status = 'Retry'`;

/**
 * Soft-deletes one batch of old rows. The batch is chosen by the timestamp index (partial on
 * is_valid, so rows already deleted cost nothing) and locked with SKIP LOCKED: rows a handler is
 * recording an outcome on, or another instance's cleanup is deleting, are left for the next
 * batch instead of waited for. Each batch is its own short transaction; no row leaves the
 * database.
 */
const SOFT_DELETE_BATCH = (tenantScoped: boolean) => `
  with batch as (
    select id from ff_events
    where is_valid and event_timestamp < ? ${tenantScoped ? 'and tenant_id = ?' : ''}
    order by event_timestamp
    limit ?
    for update skip locked
  ), deleted as (
    update ff_events as e set is_valid = false, modify_date = ?, modify_by = ?
    from batch where e.id = batch.id
    returning 1
  )
  select count(*)::int as n from deleted`;

export interface CleanupResult {
  readonly rows: number;
  readonly batches: number;
}

interface LockedRow {
  event_status: EventStatus;
  event_metadata: Record<string, unknown>;
  process_count: number;
  max_retry_count: number;
  next_retry_at: Date | string | null;
}

/** The one way into ff_events for writes: append, record handler outcomes, read back. */
@Injectable()
export class EventStore {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly retryPolicy: RetryPolicy,
    private readonly config: AppConfig,
    private readonly metrics: EventMetrics,
  ) {}

  /** Stores the events that are not stored yet; returns the ids that were new. */
  async append(events: readonly PendingEvent[]): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    const rows = await this.em
      .fork()
      .execute<{ event_id: string; event_type: string; event_status: EventStatus }[]>(
        INSERT_EVENTS,
        [this.toRecordset(events)],
      );
    for (const row of rows) {
      this.metrics.eventStored(row.event_type);
      // A type with no processing handlers is Processed the moment it is stored.
      if (row.event_status === EventStatus.Processed) this.metrics.eventProcessed(row.event_type);
    }
    return new Set(rows.map((row) => row.event_id));
  }

  /**
   * Records one processing handler's outcome on the event's row, inserting the row first if the
   * persistence handler has not yet: handlers may finish in any order. The row lock serialises
   * outcomes of the same event, so none is lost.
   */
  async recordOutcome(
    event: PendingEvent,
    outcome: HandlerOutcome,
  ): Promise<ProcessingUpdate | undefined> {
    const now = this.clock.now();
    return this.em.fork().transactional(async (em) => {
      const lock = () => em.execute<LockedRow[]>(LOCK_EVENT, [event.envelope.eventId]);
      let [row] = await lock();
      if (!row) {
        // This handler finished before the persistence handler stored the event.
        const inserted = await em.execute<unknown[]>(INSERT_EVENTS, [this.toRecordset([event])]);
        if (inserted.length > 0) this.metrics.eventStored(event.envelope.eventType);
        [row] = await lock();
      }
      if (!row) throw new Error(`event ${event.envelope.eventId} vanished while recording`);
      const state: ProcessingState = {
        eventStatus: row.event_status,
        eventMetadata: row.event_metadata,
        processCount: row.process_count,
        maxRetryCount: row.max_retry_count,
        nextRetryAt: row.next_retry_at === null ? null : new Date(row.next_retry_at),
      };
      const update = applyOutcome(state, outcome, now, this.retryPolicy);
      if (!update) return undefined;
      const metadata = {
        ...update.eventMetadata,
        processingInfo: this.processingInfo(now, longestRun(update.eventMetadata)),
      };
      await em.execute(UPDATE_OUTCOME, [
        update.eventStatus,
        JSON.stringify(metadata),
        update.errorMessage,
        update.requiresRetry,
        update.nextRetryAt,
        now,
        INSTANCE_ID,
        event.envelope.eventId,
      ]);
      this.countTransition(event.envelope.eventType, state.eventStatus, update);
      return update;
    });
  }

  /** The event as stored, whatever its tenant or validity: callers scope it. */
  async findByEventId(eventId: string): Promise<StoredEvent | null> {
    return this.em.fork().findOne(StoredEvent, { eventId });
  }

  /** Undefined when the tenant has no valid Failed event with this id. */
  async claimFailed(tenantId: string, eventId: string): Promise<EventRow | undefined> {
    const now = this.clock.now();
    const [row] = await this.em
      .fork()
      .execute<EventRow[]>(CLAIM_FAILED, [now, now, INSTANCE_ID, eventId, tenantId]);
    if (row) this.metrics.eventRetried(row.event_type);
    return row;
  }

  /** Undefined when the tenant has no valid Published or Failed event with this id. */
  async markProcessed(
    tenantId: string,
    eventId: string,
    by: string,
  ): Promise<EventRow | undefined> {
    const now = this.clock.now();
    const [row] = await this.em
      .fork()
      .execute<EventRow[]>(MARK_PROCESSED, [
        now.toISOString(),
        by,
        now,
        truncate(by, 100),
        eventId,
        tenantId,
      ]);
    if (row) this.metrics.eventProcessed(row.event_type);
    return row;
  }

  /** Claims up to `limit` Failed events whose retry is due; see CLAIM_DUE. */
  async claimDue(limit: number): Promise<EventRow[]> {
    const now = this.clock.now();
    const rows = await this.em
      .fork()
      .execute<EventRow[]>(CLAIM_DUE, [now, limit, now, now, INSTANCE_ID]);
    for (const row of rows) this.metrics.eventRetried(row.event_type);
    return rows;
  }

  /**
   * Claims up to `limit` events untouched since the cutoff while Published or Retry; see
   * CLAIM_STUCK. The rows come back Retry (claimed) or Failed (declared dead).
   */
  async claimStuck(cutoff: Date, limit: number): Promise<EventRow[]> {
    const now = this.clock.now();
    const rows = await this.em
      .fork()
      .execute<EventRow[]>(CLAIM_STUCK, [cutoff, limit, now, now, INSTANCE_ID]);
    for (const row of rows) {
      if (row.event_status === EventStatus.Retry) this.metrics.eventRetried(row.event_type);
      else this.metrics.eventDead(row.event_type);
    }
    return rows;
  }

  /** Hard-deletes rows soft-deleted before the cutoff, batch by batch, like softDeleteOlderThan. */
  async purgeDeletedBefore(cutoff: Date, proceed: () => boolean): Promise<CleanupResult> {
    const batchSize = this.config.events.cleanupBatchSize;
    let rows = 0;
    let batches = 0;
    for (;;) {
      const [{ n }] = await this.em
        .fork()
        .execute<{ n: number }[]>(PURGE_BATCH, [cutoff, batchSize]);
      rows += n;
      batches += 1;
      if (n < batchSize || !proceed()) return { rows, batches };
    }
  }

  /** Ends a claim that has no handler left to run: they all succeeded before. */
  async settleClaim(eventId: string): Promise<void> {
    const now = this.clock.now();
    await this.em.fork().execute(SETTLE_CLAIM, [now, INSTANCE_ID, eventId]);
  }

  /**
   * Soft-deletes every valid event older than the cutoff (of one tenant, or of all), batch after
   * batch, until a batch comes back short or `proceed` says stop (a shutdown).
   */
  async softDeleteOlderThan(
    cutoff: Date,
    options: { tenantId?: string; by: string; proceed?: () => boolean },
  ): Promise<CleanupResult> {
    const batchSize = this.config.events.cleanupBatchSize;
    const sql = SOFT_DELETE_BATCH(options.tenantId !== undefined);
    const scope = options.tenantId === undefined ? [] : [options.tenantId];
    let rows = 0;
    let batches = 0;
    for (;;) {
      const [{ n }] = await this.em
        .fork()
        .execute<{ n: number }[]>(sql, [
          cutoff,
          ...scope,
          batchSize,
          this.clock.now(),
          truncate(options.by, 100),
        ]);
      rows += n;
      batches += 1;
      if (n < batchSize || !(options.proceed?.() ?? true)) return { rows, batches };
    }
  }

  /**
   * Counts a status change once: entering Processed; entering Failed (once per attempt, however
   * many of its handlers fail), and dead when no retry is left at that moment.
   */
  private countTransition(eventType: string, from: EventStatus, update: ProcessingUpdate): void {
    if (update.eventStatus === from) return;
    if (update.eventStatus === EventStatus.Processed) this.metrics.eventProcessed(eventType);
    if (update.eventStatus === EventStatus.Failed) {
      this.metrics.eventFailed(eventType);
      if (!update.requiresRetry) this.metrics.eventDead(eventType);
    }
  }

  private processingInfo(now: Date, durationMs: number) {
    return {
      processedAt: now.toISOString(),
      processedBy: INSTANCE_ID,
      processorVersion: PROCESSOR_VERSION,
      durationMs,
    };
  }

  private toRecordset(events: readonly PendingEvent[]): string {
    const now = this.clock.now();
    return JSON.stringify(
      events.map(({ envelope: e, handlers }) => ({
        event_id: truncate(e.eventId, 100),
        event_type: truncate(e.eventType, 100),
        event_version: truncate(e.eventVersion, 20),
        event_timestamp: e.eventTimestamp.toISOString(),
        aggregate_id: e.aggregateId,
        aggregate_type: truncate(e.aggregateType, 50),
        event_source: truncate(e.eventSource, 50),
        event_data: e.eventData,
        event_metadata: {
          ...e.eventMetadata,
          processingInfo: this.processingInfo(now, 0),
          handlers: pendingHandlers(handlers),
        },
        event_description: truncateOptional(e.eventDescription, 500),
        event_status: handlers.length === 0 ? EventStatus.Processed : EventStatus.Published,
        related_entity_id: e.relatedEntityId ?? null,
        related_entity_type: truncateOptional(e.relatedEntityType, 50),
        event_tags: e.eventTags,
        max_retry_count: this.config.events.maxRetryCount,
        tenant_id: truncate(e.tenantId, 50),
        now: now.toISOString(),
        actor: INSTANCE_ID.slice(0, 100),
      })),
    );
  }
}

/** Handlers run concurrently, so an event's processing time is its longest handler run. */
function longestRun(metadata: Record<string, unknown>): number {
  return Math.max(0, ...Object.values(handlersOf(metadata)).map((h) => h.durationMs ?? 0));
}
