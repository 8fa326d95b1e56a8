import type { StoredEvent } from '../entities/stored-event.entity.js';

/** A stored event over HTTP: §3's columns in camelCase, bigints as numbers when they are safe. */
export type EventResponse = ReturnType<typeof toEventResponse>;

export function toEventResponse(event: StoredEvent) {
  return {
    id: bigintToJson(event.id),
    eventId: event.eventId,
    eventType: event.eventType,
    eventVersion: event.eventVersion,
    eventTimestamp: event.eventTimestamp,
    aggregateId: bigintToJson(event.aggregateId),
    aggregateType: event.aggregateType,
    eventSource: event.eventSource,
    eventData: event.eventData,
    eventMetadata: event.eventMetadata,
    eventDescription: event.eventDescription ?? null,
    eventStatus: event.eventStatus,
    processCount: event.processCount,
    lastProcessedAt: event.lastProcessedAt ?? null,
    errorMessage: event.errorMessage ?? null,
    relatedEntityId: event.relatedEntityId == null ? null : bigintToJson(event.relatedEntityId),
    relatedEntityType: event.relatedEntityType ?? null,
    eventTags: event.eventTags,
    requiresRetry: event.requiresRetry,
    nextRetryAt: event.nextRetryAt ?? null,
    maxRetryCount: event.maxRetryCount,
    tenantId: event.tenantId,
    isValid: event.isValid,
    createDate: event.createDate,
    createBy: event.createBy,
    modifyDate: event.modifyDate,
    modifyBy: event.modifyBy,
  };
}

function bigintToJson(value: string): number | string {
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : value;
}
