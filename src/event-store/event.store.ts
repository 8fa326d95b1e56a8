import { setTimeout } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AppConfig } from '../config/app-config.js';
import { Clock } from '../common/clock.js';
import { BoundSql } from '../database/bound-sql.js';
import { EventMetrics } from '../metrics/event.metrics.js';
import { INSTANCE_ID, PROCESSOR_VERSION } from '../common/instance-id.js';
import { truncate, truncateOptional } from '../common/truncate.js';
import { EventStatus } from './entities/event-status.js';
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
  /** The appender wants the new row back (the HTTP route answers with it). */
  readonly wantRow?: boolean;
  /**
   * Outcomes already known when the row is first written (its handlers finished before the
   * insert was flushed): the row is inserted with them rather than updated right after.
   */
  readonly processed?: ProcessingUpdate;
}

/** One handler outcome to record on its event's row. */
export interface OutcomeToRecord {
  readonly event: PendingEvent;
  readonly outcome: HandlerOutcome;
}

/**
 * Inserts any number of events in one statement: the batch travels as one jsonb parameter and
 * jsonb_to_recordset turns it into rows, so a batch of 500 costs one round trip and one plan, and
 * no parameter limit applies. ON CONFLICT DO NOTHING on the unique event_id makes a repeat (a
 * re-publish, a retry, a concurrent duplicate) a no-op rather than an error; RETURNING tells which
 * rows were new.
 */
const INSERT_SQL = `
  insert into ff_events (event_id, event_type, event_version, event_timestamp, aggregate_id,
    aggregate_type, event_source, event_data, event_metadata, event_description, event_status,
    process_count, last_processed_at, error_message, related_entity_id, related_entity_type,
    event_tags, requires_retry, next_retry_at, max_retry_count, tenant_id, create_date, create_by,
    modify_date, modify_by)
  select r.event_id, r.event_type, r.event_version, r.event_timestamp, r.aggregate_id,
    r.aggregate_type, r.event_source, r.event_data, r.event_metadata, r.event_description,
    r.event_status, 1, r.now, r.error_message, r.related_entity_id, r.related_entity_type,
    r.event_tags, r.requires_retry, r.next_retry_at, r.max_retry_count, r.tenant_id, r.now,
    r.actor, r.now, r.actor
  from jsonb_to_recordset(?::jsonb) as r(event_id varchar, event_type varchar,
    event_version varchar, event_timestamp timestamptz, aggregate_id bigint,
    aggregate_type varchar, event_source varchar, event_data jsonb, event_metadata jsonb,
    event_description varchar, event_status varchar, error_message varchar,
    related_entity_id bigint, related_entity_type varchar, event_tags jsonb,
    requires_retry boolean, next_retry_at timestamptz, max_retry_count int, tenant_id varchar,
    now timestamptz, actor varchar)
  on conflict (event_id) do nothing
`;

const INSERT_EVENTS = new BoundSql(`${INSERT_SQL} returning event_id`);
/** The same insert returning the new rows whole, for appenders that answer with the row (HTTP). */
const INSERT_EVENTS_RETURNING_ROWS = new BoundSql(`${INSERT_SQL} returning *`);

/**
 * Locks the rows a batch of outcomes is about, in id order: two batches sharing rows then take
 * their locks in the same order and cannot deadlock.
 */
const LOCK_EVENTS = new BoundSql(`
  select event_id, event_status, event_metadata, process_count, max_retry_count, next_retry_at
  from ff_events where event_id in (select jsonb_array_elements_text(?::jsonb))
  order by id for update`);

/** Writes a batch of outcomes in one statement, like the insert. */
const UPDATE_OUTCOMES = new BoundSql(`
  update ff_events as e
  set event_status = r.event_status, event_metadata = r.event_metadata,
      error_message = r.error_message, requires_retry = r.requires_retry,
      next_retry_at = r.next_retry_at, modify_date = r.now, modify_by = r.actor
  from jsonb_to_recordset(?::jsonb) as r(event_id varchar, event_status varchar,
    event_metadata jsonb, error_message varchar, requires_retry boolean,
    next_retry_at timestamptz, now timestamptz, actor varchar)
  where e.event_id = r.event_id`);

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

/** A locked row while a batch of outcomes is folded into it. */
interface TrackedRow {
  readonly from: EventStatus;
  state: ProcessingState;
  last?: ProcessingUpdate;
}

interface LockedRow {
  event_id: string;
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

  /**
   * Stores the events that are not stored yet, any number in one statement; returns the new
   * ones by id, with the row when an appender asked for it.
   */
  async append(events: readonly PendingEvent[]): Promise<Map<string, EventRow | undefined>> {
    if (events.length === 0) return new Map();
    // Whole rows only when someone asked: a bus batch would otherwise ship 500 rows back.
    const statement = events.some((event) => event.wantRow)
      ? INSERT_EVENTS_RETURNING_ROWS
      : INSERT_EVENTS;
    const rows = await statement.run<EventRow>(this.em.fork(), [this.toRecordset(events)]);
    const created = new Map(
      rows.map((row) => [row.event_id, statement === INSERT_EVENTS ? undefined : row]),
    );
    for (const event of events) {
      if (created.has(event.envelope.eventId)) this.countInsert(event);
    }
    return created;
  }

  /**
   * Records a batch of handler outcomes in one transaction: one statement locks every row
   * concerned, the outcomes are folded in (in order, several per event if need be), one
   * statement writes the changed rows back. A row not there yet (a handler finished before the
   * persistence handler's insert) is inserted first: handlers may finish in any order. The row
   * locks serialise outcomes of the same event across batches and instances, so none is lost.
   */
  async recordOutcomes(
    items: readonly OutcomeToRecord[],
  ): Promise<(ProcessingUpdate | undefined)[]> {
    const now = this.clock.now();
    const events = new Map(items.map(({ event }) => [event.envelope.eventId, event]));
    return this.em.fork().transactional(async (em) => {
      const tracked = new Map<string, TrackedRow>();
      const lock = async (eventIds: string[]) => {
        const rows = await LOCK_EVENTS.run<LockedRow>(em, [JSON.stringify(eventIds)]);
        for (const row of rows) {
          tracked.set(row.event_id, {
            from: row.event_status,
            state: {
              eventStatus: row.event_status,
              eventMetadata: row.event_metadata,
              processCount: row.process_count,
              maxRetryCount: row.max_retry_count,
              nextRetryAt: row.next_retry_at === null ? null : new Date(row.next_retry_at),
            },
          });
        }
      };
      await lock([...events.keys()]);
      const missing = [...events.values()].filter((e) => !tracked.has(e.envelope.eventId));
      if (missing.length > 0) {
        const inserted = await INSERT_EVENTS.run<{ event_id: string }>(em, [
          this.toRecordset(missing),
        ]);
        const created = new Set(inserted.map((row) => row.event_id));
        for (const event of missing) {
          if (created.has(event.envelope.eventId)) this.countInsert(event);
        }
        await lock(missing.map((event) => event.envelope.eventId));
      }

      const updates = items.map(({ event, outcome }) => {
        const row = tracked.get(event.envelope.eventId);
        if (!row) throw new Error(`event ${event.envelope.eventId} vanished while recording`);
        const update = applyOutcome(row.state, outcome, now, this.retryPolicy);
        if (update) {
          row.state = { ...row.state, ...update };
          row.last = update;
        }
        return update;
      });

      const written = [...tracked.entries()].filter(([, row]) => row.last !== undefined);
      if (written.length > 0) {
        await UPDATE_OUTCOMES.run(em, [
          JSON.stringify(
            written.map(([eventId, { last }]) => ({
              event_id: eventId,
              event_status: last!.eventStatus,
              event_metadata: this.withProcessingInfo(last!.eventMetadata, now),
              error_message: last!.errorMessage,
              requires_retry: last!.requiresRetry,
              next_retry_at: last!.nextRetryAt?.toISOString() ?? null,
              now: now.toISOString(),
              actor: INSTANCE_ID.slice(0, 100),
            })),
          ),
        ]);
        for (const [eventId, row] of written) {
          this.countTransition(events.get(eventId)!.envelope.eventType, row.from, row.last!);
        }
      }
      return updates;
    });
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
    return this.inBatches(
      async () =>
        (await this.em.fork().execute<{ n: number }[]>(PURGE_BATCH, [cutoff, this.batchSize]))[0].n,
      { proceed, background: true },
    );
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
    options: { tenantId?: string; by: string; proceed?: () => boolean; background?: boolean },
  ): Promise<CleanupResult> {
    const sql = SOFT_DELETE_BATCH(options.tenantId !== undefined);
    const scope = options.tenantId === undefined ? [] : [options.tenantId];
    return this.inBatches(
      async () =>
        (
          await this.em
            .fork()
            .execute<{ n: number }[]>(sql, [
              cutoff,
              ...scope,
              this.batchSize,
              this.clock.now(),
              truncate(options.by, 100),
            ])
        )[0].n,
      options,
    );
  }

  private get batchSize(): number {
    return this.config.events.cleanupBatchSize;
  }

  /**
   * Runs batch after batch until one comes back short or `proceed` says stop. Background work
   * (the sweeps) then rests as long as its batch took: half the database's time stays with
   * ingest, which in the benchmark kept more of its throughput while retention ran.
   */
  private async inBatches(
    batch: () => Promise<number>,
    { proceed, background = false }: { proceed?: () => boolean; background?: boolean },
  ): Promise<CleanupResult> {
    let rows = 0;
    let batches = 0;
    for (;;) {
      const started = performance.now();
      const n = await batch();
      rows += n;
      batches += 1;
      if (n < this.batchSize || !(proceed?.() ?? true)) return { rows, batches };
      if (background) await setTimeout(performance.now() - started);
    }
  }

  /** A new row: stored, and Processed or Failed already when its outcomes came with it. */
  private countInsert(event: PendingEvent): void {
    const type = event.envelope.eventType;
    this.metrics.eventStored(type);
    const initial = event.handlers.length === 0 ? EventStatus.Processed : EventStatus.Published;
    if (initial === EventStatus.Processed) this.metrics.eventProcessed(type);
    if (event.processed) this.countTransition(type, initial, event.processed);
  }

  private withProcessingInfo(metadata: Record<string, unknown>, now: Date) {
    return { ...metadata, processingInfo: this.processingInfo(now, longestRun(metadata)) };
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
      events.map(({ envelope: e, handlers, processed }) => ({
        event_id: truncate(e.eventId, 100),
        event_type: truncate(e.eventType, 100),
        event_version: truncate(e.eventVersion, 20),
        event_timestamp: e.eventTimestamp.toISOString(),
        aggregate_id: e.aggregateId,
        aggregate_type: truncate(e.aggregateType, 50),
        event_source: truncate(e.eventSource, 50),
        event_data: e.eventData,
        event_metadata: this.withProcessingInfo(
          processed?.eventMetadata ?? { ...e.eventMetadata, handlers: pendingHandlers(handlers) },
          now,
        ),
        event_description: truncateOptional(e.eventDescription, 500),
        event_status:
          processed?.eventStatus ??
          (handlers.length === 0 ? EventStatus.Processed : EventStatus.Published),
        error_message: processed?.errorMessage ?? null,
        related_entity_id: e.relatedEntityId ?? null,
        related_entity_type: truncateOptional(e.relatedEntityType, 50),
        event_tags: e.eventTags,
        requires_retry: processed?.requiresRetry ?? false,
        next_retry_at: processed?.nextRetryAt?.toISOString() ?? null,
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
