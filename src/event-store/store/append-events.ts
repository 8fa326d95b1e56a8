import { PROCESSOR_VERSION } from '../../common/instance-id.js';
import { BoundSql } from '../../database/sql.js';
import type { SqlExecutor } from '../../database/sql.js';
import { EventStatus } from '../entities/event-status.js';
import type { EventEnvelope } from '../event-envelope.js';
import type { EventRow } from '../event-row.js';
import { pendingHandlers } from '../processing/handler-outcome.js';

/** An event to insert: its envelope (already fitted to the columns) and its handlers' names. */
export interface NewEvent {
  readonly envelope: EventEnvelope;
  readonly handlers: readonly string[];
}

/** What the insert found for one event id. */
export interface AppendedEvent {
  readonly eventId: string;
  /** True when this statement inserted the row. */
  readonly created: boolean;
  /**
   * The tenant the id belongs to: the event's own when created. Null only when a concurrent
   * transaction inserted the id after this statement's snapshot was taken (see findOwners).
   */
  readonly owner: string | null;
  /** The new row, when it was asked for and created. */
  readonly row?: EventRow;
}

/**
 * Inserts any number of events in one statement and says, for each, whether it was new and whose
 * the id is. The batch travels as one jsonb parameter and jsonb_to_recordset turns it into rows:
 * one round trip, one plan, no parameter limit. ON CONFLICT DO NOTHING on the unique event_id
 * makes a repeat a no-op rather than an error.
 *
 * The owner of an id that was not inserted comes from the same statement: the outer join reads
 * ff_events with the statement's snapshot, which does not contain the CTE's own inserts (SQL runs
 * data-modifying CTEs and the main query on one snapshot), so it finds only rows that were there
 * before. This is how a publish can be refused when its id is another tenant's, with no second
 * round trip. Rows are inserted in the input's order (ordinality), so ids follow it.
 *
 * Callers pass at most one event per id (the writer folds repeats): two rows with one id in a
 * single statement would both report the one insert.
 */
const APPEND = (returning: string) => `
  with input as (
    select * from rows from (jsonb_to_recordset(?::jsonb) as (event_id varchar,
        event_type varchar, event_version varchar, event_timestamp timestamptz,
        aggregate_id bigint, aggregate_type varchar, event_source varchar, event_data jsonb,
        event_metadata jsonb, event_description varchar, event_status varchar,
        related_entity_id bigint, related_entity_type varchar, event_tags jsonb,
        max_retry_count int, tenant_id varchar, now timestamptz, actor varchar))
      with ordinality as r(event_id, event_type, event_version, event_timestamp, aggregate_id,
        aggregate_type, event_source, event_data, event_metadata, event_description,
        event_status, related_entity_id, related_entity_type, event_tags, max_retry_count,
        tenant_id, now, actor, ordinality)
  ), inserted as (
    insert into ff_events (event_id, event_type, event_version, event_timestamp, aggregate_id,
      aggregate_type, event_source, event_data, event_metadata, event_description, event_status,
      process_count, last_processed_at, related_entity_id, related_entity_type, event_tags,
      requires_retry, max_retry_count, tenant_id, create_date, create_by, modify_date, modify_by)
    select event_id, event_type, event_version, event_timestamp, aggregate_id, aggregate_type,
      event_source, event_data, event_metadata, event_description, event_status, 1, now,
      related_entity_id, related_entity_type, event_tags, false, max_retry_count, tenant_id, now,
      actor, now, actor
    from input order by ordinality
    on conflict (event_id) do nothing
    returning ${returning}
  )
  select input.event_id as appended_event_id, inserted.id is not null as appended_created,
    coalesce(inserted.tenant_id, existing.tenant_id) as appended_owner, inserted.*
  from input
  left join inserted on inserted.event_id = input.event_id
  left join ff_events as existing
    on existing.event_id = input.event_id and inserted.id is null
  order by input.ordinality`;

const APPEND_IDS = new BoundSql(APPEND('id, event_id, tenant_id'));
const APPEND_ROWS = new BoundSql(APPEND('*'));

type AppendRow = Partial<EventRow> & {
  appended_event_id: string;
  appended_created: boolean;
  appended_owner: string | null;
};

export interface AppendOptions {
  /** Return new rows whole (the HTTP route answers with them); ids only otherwise. */
  readonly returnRows: boolean;
  readonly now: Date;
  readonly actor: string;
  readonly maxRetryCount: number;
}

export async function appendEvents(
  db: SqlExecutor,
  events: readonly NewEvent[],
  options: AppendOptions,
): Promise<AppendedEvent[]> {
  if (events.length === 0) return [];
  const statement = options.returnRows ? APPEND_ROWS : APPEND_IDS;
  const rows = await statement.run<AppendRow>(db, [
    JSON.stringify(events.map((event) => toRecord(event, options))),
  ]);
  return rows.map(({ appended_event_id, appended_created, appended_owner, ...row }) => ({
    eventId: appended_event_id,
    created: appended_created,
    owner: appended_owner,
    ...(options.returnRows && appended_created ? { row: row as EventRow } : {}),
  }));
}

function toRecord({ envelope: e, handlers }: NewEvent, options: AppendOptions) {
  const now = options.now.toISOString();
  return {
    event_id: e.eventId,
    event_type: e.eventType,
    event_version: e.eventVersion,
    event_timestamp: e.eventTimestamp.toISOString(),
    aggregate_id: e.aggregateId,
    aggregate_type: e.aggregateType,
    event_source: e.eventSource,
    event_data: e.eventData,
    event_metadata: {
      ...e.eventMetadata,
      handlers: pendingHandlers(handlers),
      processingInfo: {
        processedAt: now,
        processedBy: options.actor,
        processorVersion: PROCESSOR_VERSION,
        durationMs: 0,
      },
    },
    event_description: e.eventDescription ?? null,
    // An event no handler processes has nothing to wait for.
    event_status: handlers.length === 0 ? EventStatus.Processed : EventStatus.Published,
    related_entity_id: e.relatedEntityId ?? null,
    related_entity_type: e.relatedEntityType ?? null,
    event_tags: e.eventTags,
    max_retry_count: options.maxRetryCount,
    tenant_id: e.tenantId,
    now,
    actor: options.actor,
  };
}
