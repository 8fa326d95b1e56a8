import type { TestDatabase } from './test-database.js';

/** A row for ff_events with only what a test cares about; the rest gets plausible defaults. */
export interface SeedEvent {
  eventId: string;
  tenantId: string;
  eventType?: string;
  eventTimestamp?: Date;
  aggregateId?: string | number;
  aggregateType?: string;
  eventSource?: string;
  eventData?: Record<string, unknown>;
  eventDescription?: string | null;
  eventStatus?: 'Published' | 'Processed' | 'Failed' | 'Retry';
  processCount?: number;
  requiresRetry?: boolean;
  nextRetryAt?: Date | null;
  relatedEntityId?: string | number | null;
  relatedEntityType?: string | null;
  eventTags?: string[];
  isValid?: boolean;
  /** processingInfo.durationMs; handlers get one entry when given. */
  durationMs?: number;
  handlers?: Record<
    string,
    { status: string; attempts: number; durationMs?: number; error?: string }
  >;
  modifyDate?: Date;
}

export const DAY_MS = 86_400_000;
export const daysAgo = (days: number, from = Date.now()) => new Date(from - days * DAY_MS);

/** Inserts rows straight into ff_events, bypassing the service: the fixture the reads run on. */
export async function seedEvents(db: TestDatabase, events: SeedEvent[]): Promise<void> {
  const rows = events.map((e) => {
    const handlers =
      e.handlers ??
      (e.durationMs === undefined
        ? {}
        : { work: { status: 'succeeded', attempts: 1, durationMs: e.durationMs } });
    return {
      event_id: e.eventId,
      event_type: e.eventType ?? 'StageCompleted',
      event_timestamp: (e.eventTimestamp ?? new Date()).toISOString(),
      aggregate_id: String(e.aggregateId ?? 1),
      aggregate_type: e.aggregateType ?? 'Onboarding',
      event_source: e.eventSource ?? 'Portal',
      event_data: e.eventData ?? {},
      event_metadata: {
        handlers,
        processingInfo: { durationMs: e.durationMs ?? 0, processedBy: 'seed' },
      },
      event_description: e.eventDescription === undefined ? null : e.eventDescription,
      event_status: e.eventStatus ?? 'Processed',
      process_count: e.processCount ?? 1,
      requires_retry: e.requiresRetry ?? false,
      next_retry_at: e.nextRetryAt ? e.nextRetryAt.toISOString() : null,
      related_entity_id: e.relatedEntityId == null ? null : String(e.relatedEntityId),
      related_entity_type: e.relatedEntityType ?? null,
      event_tags: e.eventTags ?? [],
      tenant_id: e.tenantId,
      is_valid: e.isValid ?? true,
      modify_date: (e.modifyDate ?? new Date()).toISOString(),
    };
  });
  await db.query(
    `insert into ff_events (event_id, event_type, event_version, event_timestamp, aggregate_id,
       aggregate_type, event_source, event_data, event_metadata, event_description, event_status,
       process_count, last_processed_at, related_entity_id, related_entity_type, event_tags,
       requires_retry, next_retry_at, max_retry_count, tenant_id, is_valid, create_date, create_by,
       modify_date, modify_by)
     select event_id, event_type, '1.0', event_timestamp, aggregate_id, aggregate_type,
       event_source, event_data, event_metadata, event_description, event_status, process_count,
       event_timestamp, related_entity_id, related_entity_type, event_tags, requires_retry,
       next_retry_at, 3, tenant_id, is_valid, event_timestamp, 'seed', modify_date, 'seed'
     from jsonb_to_recordset($1::jsonb) as r(event_id varchar, event_type varchar,
       event_timestamp timestamptz, aggregate_id bigint, aggregate_type varchar,
       event_source varchar, event_data jsonb, event_metadata jsonb, event_description varchar,
       event_status varchar, process_count int, requires_retry boolean, next_retry_at timestamptz,
       related_entity_id bigint, related_entity_type varchar, event_tags jsonb, tenant_id varchar,
       is_valid boolean, modify_date timestamptz)`,
    [JSON.stringify(rows)],
  );
}
