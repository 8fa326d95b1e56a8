import { parseTimestamp } from '../../common/timestamp.js';
import { BadRequestException } from '@nestjs/common';
import { MAX_OFFSET, type EventQuery } from '../queries/event-query.js';
import { decodePageCursor } from '../queries/page-cursor.js';
import type { QueryEventsDto } from './query-events.dto.js';

/** The validated query string as the store's query; a reversed date range is a 400. */
export function toEventQuery(dto: QueryEventsDto): EventQuery {
  const startDate = dto.startDate === undefined ? undefined : parseTimestamp(dto.startDate);
  const endDate = dto.endDate === undefined ? undefined : parseTimestamp(dto.endDate);
  if (startDate && endDate && startDate > endDate) {
    throw new BadRequestException('startDate must not be after endDate');
  }
  if (dto.cursor !== undefined && dto.pageIndex !== 1) {
    throw new BadRequestException('give either cursor or pageIndex, not both');
  }
  if ((dto.pageIndex - 1) * dto.pageSize > MAX_OFFSET) {
    throw new BadRequestException(
      `pageIndex ${dto.pageIndex} with pageSize ${dto.pageSize} skips more than ${MAX_OFFSET} events; page further with cursor (each page's nextCursor)`,
    );
  }
  return {
    eventType: dto.eventType,
    eventStatus: dto.eventStatus,
    eventSource: dto.eventSource,
    aggregateId: dto.aggregateId,
    aggregateType: dto.aggregateType,
    relatedEntityId: dto.relatedEntityId,
    relatedEntityType: dto.relatedEntityType,
    eventId: dto.eventId,
    startDate,
    endDate,
    days: dto.days,
    tags: dto.tags,
    requiresRetry: dto.requiresRetry,
    keyword: dto.keyword,
    data: dto.data,
    cursor:
      dto.cursor === undefined
        ? undefined
        : decodePageCursor(dto.cursor, dto.sortField, dto.sortOrder),
    pageIndex: dto.pageIndex,
    pageSize: dto.pageSize,
    sortField: dto.sortField,
    sortOrder: dto.sortOrder,
  };
}
