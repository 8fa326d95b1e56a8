import { truncate, truncateOptional } from '../common/truncate.js';

/**
 * What the store keeps of any event: the columns of `ff_events` that describe the event itself.
 * Processing columns (status, counts, retry) are the store's business.
 */
export interface EventEnvelope {
  readonly eventId: string;
  readonly eventType: string;
  readonly eventVersion: string;
  readonly eventTimestamp: Date;
  /** bigint, as a decimal string: ids may exceed Number.MAX_SAFE_INTEGER. */
  readonly aggregateId: string;
  readonly aggregateType: string;
  readonly eventSource: string;
  readonly eventData: Record<string, unknown>;
  readonly eventMetadata: Record<string, unknown>;
  readonly eventDescription?: string | null;
  readonly eventTags: readonly string[];
  readonly relatedEntityId?: string | null;
  readonly relatedEntityType?: string | null;
  readonly tenantId: string;
}

/**
 * The envelope with every text cut to its column (SPEC §3: over-long text is truncated, never a
 * failed insert). Done once, where an event enters the store, so that the id the writer reports on
 * is the id stored.
 */
export function fitEnvelope(envelope: EventEnvelope): EventEnvelope {
  return {
    ...envelope,
    eventId: truncate(envelope.eventId, 100),
    eventType: truncate(envelope.eventType, 100),
    eventVersion: truncate(envelope.eventVersion, 20),
    aggregateType: truncate(envelope.aggregateType, 50),
    eventSource: truncate(envelope.eventSource, 50),
    eventDescription: truncateOptional(envelope.eventDescription, 500),
    relatedEntityType: truncateOptional(envelope.relatedEntityType, 50),
    tenantId: truncate(envelope.tenantId, 50),
  };
}
