import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AppConfig } from '../config/app-config.js';
import { Clock } from '../common/clock.js';
import { INSTANCE_ID, PROCESSOR_VERSION } from '../common/instance-id.js';
import { truncate, truncateOptional } from '../common/truncate.js';
import { EventStatus } from './entities/event-status.js';
import { StoredEvent } from './entities/stored-event.entity.js';
import type { EventEnvelope } from './event-envelope.js';
import {
  applyOutcome,
  pendingHandlers,
  type HandlerOutcome,
  type ProcessingState,
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
  returning event_id`;

const LOCK_EVENT = `
  select event_status, event_metadata, process_count, max_retry_count
  from ff_events where event_id = ? for update`;

const UPDATE_OUTCOME = `
  update ff_events
  set event_status = ?, event_metadata = ?::jsonb, error_message = ?, requires_retry = ?,
      next_retry_at = ?, modify_date = ?, modify_by = ?
  where event_id = ?`;

interface LockedRow {
  event_status: EventStatus;
  event_metadata: Record<string, unknown>;
  process_count: number;
  max_retry_count: number;
}

/** The one way into ff_events for writes: append, record handler outcomes, read back. */
@Injectable()
export class EventStore {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly retryPolicy: RetryPolicy,
    private readonly config: AppConfig,
  ) {}

  /** Stores the events that are not stored yet; returns the ids that were new. */
  async append(events: readonly PendingEvent[]): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    const rows = await this.em
      .fork()
      .execute<{ event_id: string }[]>(INSERT_EVENTS, [this.toRecordset(events)]);
    return new Set(rows.map((row) => row.event_id));
  }

  /**
   * Records one processing handler's outcome on the event's row, inserting the row first if the
   * persistence handler has not yet: handlers may finish in any order. The row lock serialises
   * outcomes of the same event, so none is lost.
   */
  async recordOutcome(event: PendingEvent, outcome: HandlerOutcome): Promise<void> {
    const now = this.clock.now();
    await this.em.fork().transactional(async (em) => {
      const lock = () => em.execute<LockedRow[]>(LOCK_EVENT, [event.envelope.eventId]);
      let [row] = await lock();
      if (!row) {
        // This handler finished before the persistence handler stored the event.
        await em.execute(INSERT_EVENTS, [this.toRecordset([event])]);
        [row] = await lock();
      }
      if (!row) throw new Error(`event ${event.envelope.eventId} vanished while recording`);
      const state: ProcessingState = {
        eventStatus: row.event_status,
        eventMetadata: row.event_metadata,
        processCount: row.process_count,
        maxRetryCount: row.max_retry_count,
      };
      const update = applyOutcome(state, outcome, now, this.retryPolicy);
      if (!update) return;
      const metadata = {
        ...update.eventMetadata,
        processingInfo: this.processingInfo(now, outcome.durationMs),
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
    });
  }

  /** The event as stored, whatever its tenant or validity: callers scope it. */
  async findByEventId(eventId: string): Promise<StoredEvent | null> {
    return this.em.fork().findOne(StoredEvent, { eventId });
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
