import type { Type } from '@nestjs/common';
import type { EventEnvelope } from './event-envelope.js';

/**
 * How one event class is stored: a module that owns an event type declares this once and passes
 * it to EventStoreModule.forFeature; the store itself never changes for a new type.
 */
export interface EventMapping<E extends object> {
  readonly eventClass: Type<E>;
  /** The event_type column, and the key under which retries find this mapping. */
  readonly eventType: string;
  toEnvelope(event: E): EventEnvelope;
  /** Rebuilds the event from its stored event_data, so a retry can re-run its handlers. */
  fromData(data: Record<string, unknown>): E;
}
