import { charCount } from '../common/max-chars.js';
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
 * The envelope with every descriptive text cut to its column (SPEC §3: over-long text is
 * truncated, never a failed insert). Ids are not cut: two ids cut to one would be one event (see
 * envelopeProblem). Done once, where an event enters the store.
 */
export function fitEnvelope(envelope: EventEnvelope): EventEnvelope {
  return {
    ...envelope,
    eventType: truncate(envelope.eventType, 100),
    eventVersion: truncate(envelope.eventVersion, 20),
    aggregateType: truncate(envelope.aggregateType, 50),
    eventSource: truncate(envelope.eventSource, 50),
    eventDescription: truncateOptional(envelope.eventDescription, 500),
    relatedEntityType: truncateOptional(envelope.relatedEntityType, 50),
  };
}

const INT64 = /^-?\d{1,19}$/;

/**
 * Why an envelope cannot be stored as it is, or undefined. Routes validate their input before
 * this; a module publishing on the bus gets its event refused (logged, counted as lost) rather
 * than stored under an id it did not send.
 */
export function envelopeProblem(envelope: EventEnvelope): string | undefined {
  const chars = (text: unknown, max: number) =>
    typeof text === 'string' && text !== '' && charCount(text, max) <= max;
  if (!chars(envelope.eventId, 100)) return 'eventId must be 1 to 100 characters';
  if (!chars(envelope.tenantId, 50)) return 'tenantId must be 1 to 50 characters';
  if (!INT64.test(String(envelope.aggregateId))) return 'aggregateId must be an int64';
  const year =
    envelope.eventTimestamp instanceof Date ? envelope.eventTimestamp.getUTCFullYear() : NaN;
  if (!(year >= 1 && year <= 9999)) return 'eventTimestamp must be a date of years 1 to 9999';
  return undefined;
}
