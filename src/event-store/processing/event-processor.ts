import type { Type } from '@nestjs/common';
import type { EventEnvelope } from '../event-envelope.js';

/**
 * A processing handler: work done for each event of a type whose failure is recorded on the
 * event's row and retried. The legacy log is one; other modules add their own.
 */
export interface EventProcessor<E extends object> {
  readonly eventClass: Type<E>;
  /** Stable: the key of this handler's state in event_metadata.handlers. */
  readonly name: string;
  process(event: E, envelope: EventEnvelope): Promise<void>;
}
