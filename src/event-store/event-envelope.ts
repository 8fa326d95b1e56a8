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
