import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { isoOrNull, toDate } from '../../common/timestamp.js';
import { EventStatus } from '../entities/event-status.js';
import type { EventRow } from '../event-row.js';

const BIGINT = {
  oneOf: [{ type: 'integer' }, { type: 'string', pattern: '^-?\\d+$' }],
  description:
    'int64: a JSON number while it is a safe integer (|n| ≤ 2^53 − 1), a decimal string beyond, so that no digit is lost',
};

/** A stored event over HTTP: the columns of SPEC §3 in camelCase. */
export class EventView {
  @ApiProperty(BIGINT) id!: number | string;
  @ApiProperty({ maxLength: 100 }) eventId!: string;
  @ApiProperty({ maxLength: 100 }) eventType!: string;
  @ApiProperty({ maxLength: 20 }) eventVersion!: string;
  @ApiProperty({ format: 'date-time' }) eventTimestamp!: string;
  @ApiProperty(BIGINT) aggregateId!: number | string;
  @ApiProperty({ maxLength: 50 }) aggregateType!: string;
  @ApiProperty({ maxLength: 50 }) eventSource!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) eventData!: Record<string, unknown>;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'routingTags, priority, source, processingInfo and the per-handler states',
  })
  eventMetadata!: Record<string, unknown>;
  @ApiProperty({ type: 'string', nullable: true, maxLength: 500 }) eventDescription!: string | null;
  @ApiProperty({ enum: Object.values(EventStatus), maxLength: 20 }) eventStatus!: EventStatus;
  @ApiProperty({ description: 'processing attempts so far' }) processCount!: number;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  lastProcessedAt!: string | null;
  @ApiProperty({ type: 'string', nullable: true, maxLength: 2000 }) errorMessage!: string | null;
  @ApiPropertyOptional({ ...BIGINT, nullable: true }) relatedEntityId!: number | string | null;
  @ApiProperty({ type: 'string', nullable: true, maxLength: 50 }) relatedEntityType!: string | null;
  @ApiProperty({ type: [String] }) eventTags!: string[];
  @ApiProperty() requiresRetry!: boolean;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  nextRetryAt!: string | null;
  @ApiProperty() maxRetryCount!: number;
  @ApiProperty({ maxLength: 50 }) tenantId!: string;
  @ApiProperty({ description: 'false once soft-deleted' }) isValid!: boolean;
  @ApiProperty({ format: 'date-time' }) createDate!: string;
  @ApiProperty({ maxLength: 100 }) createBy!: string;
  @ApiProperty({ format: 'date-time' }) modifyDate!: string;
  @ApiProperty({ maxLength: 100 }) modifyBy!: string;

  static fromRow(row: EventRow): EventView {
    return Object.assign(new EventView(), {
      id: bigintToJson(row.id),
      eventId: row.event_id,
      eventType: row.event_type,
      eventVersion: row.event_version,
      eventTimestamp: iso(row.event_timestamp),
      aggregateId: bigintToJson(row.aggregate_id),
      aggregateType: row.aggregate_type,
      eventSource: row.event_source,
      eventData: row.event_data,
      eventMetadata: row.event_metadata,
      eventDescription: row.event_description,
      eventStatus: row.event_status,
      processCount: row.process_count,
      lastProcessedAt: isoOrNull(row.last_processed_at),
      errorMessage: row.error_message,
      relatedEntityId: row.related_entity_id === null ? null : bigintToJson(row.related_entity_id),
      relatedEntityType: row.related_entity_type,
      eventTags: row.event_tags,
      requiresRetry: row.requires_retry,
      nextRetryAt: isoOrNull(row.next_retry_at),
      maxRetryCount: row.max_retry_count,
      tenantId: row.tenant_id,
      isValid: row.is_valid,
      createDate: iso(row.create_date),
      createBy: row.create_by,
      modifyDate: iso(row.modify_date),
      modifyBy: row.modify_by,
    });
  }
}

function bigintToJson(value: string): number | string {
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : value;
}

function iso(value: Date | string): string {
  return toDate(value).toISOString();
}
