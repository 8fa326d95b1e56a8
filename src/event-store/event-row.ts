import { toDate } from '../common/timestamp.js';
import type { EventStatus } from './entities/event-status.js';
import type { EventEnvelope } from './event-envelope.js';

/**
 * A row of ff_events as PostgreSQL returns it to raw SQL: bigints as decimal strings, jsonb
 * parsed. The reads and the claims return these; http/event.view.ts turns one into JSON.
 */
export interface EventRow {
  id: string;
  event_id: string;
  event_type: string;
  event_version: string;
  event_timestamp: Date | string;
  aggregate_id: string;
  aggregate_type: string;
  event_source: string;
  event_data: Record<string, unknown>;
  event_metadata: Record<string, unknown>;
  event_description: string | null;
  event_status: EventStatus;
  process_count: number;
  last_processed_at: Date | string | null;
  error_message: string | null;
  related_entity_id: string | null;
  related_entity_type: string | null;
  event_tags: string[];
  requires_retry: boolean;
  next_retry_at: Date | string | null;
  max_retry_count: number;
  tenant_id: string;
  is_valid: boolean;
  create_date: Date | string;
  create_by: string;
  modify_date: Date | string;
  modify_by: string;
}

/** The event part of a stored row, as the processing handlers see it on a retry. */
export function envelopeOfRow(row: EventRow): EventEnvelope {
  return {
    eventId: row.event_id,
    eventType: row.event_type,
    eventVersion: row.event_version,
    eventTimestamp: toDate(row.event_timestamp),
    aggregateId: row.aggregate_id,
    aggregateType: row.aggregate_type,
    eventSource: row.event_source,
    eventData: row.event_data,
    eventMetadata: row.event_metadata,
    eventDescription: row.event_description,
    eventTags: row.event_tags,
    relatedEntityId: row.related_entity_id,
    relatedEntityType: row.related_entity_type,
    tenantId: row.tenant_id,
  };
}
