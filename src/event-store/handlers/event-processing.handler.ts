import { Inject, type OnModuleInit, type Type } from '@nestjs/common';
import type { IEventHandler } from '@nestjs/cqrs';
import type { EventEnvelope } from '../event-envelope.js';
import { EventTypeRegistry } from '../event-type.registry.js';
import type { EventProcessor } from '../processing/event-processor.js';
import { EventPipeline } from '../processing/event.pipeline.js';

/**
 * Base of every processing handler: subclass it, decorate the subclass with
 * `@EventsHandler(TheEvent)`, and implement `process`. Its outcome is recorded on the event's row
 * and a failure is retried from the stored event_data, like the legacy log's.
 */
export abstract class EventProcessingHandler<E extends object>
  implements IEventHandler<E>, EventProcessor<E>, OnModuleInit
{
  abstract readonly eventClass: Type<E>;
  abstract readonly name: string;
  abstract process(event: E, envelope: EventEnvelope): Promise<void>;

  @Inject(EventPipeline) private readonly pipeline!: EventPipeline;
  @Inject(EventTypeRegistry) private readonly registry!: EventTypeRegistry;

  onModuleInit(): void {
    this.registry.registerProcessor(this);
  }

  handle(event: E): Promise<void> {
    return this.pipeline.runFromBus(this, event);
  }
}
