import { Injectable, type Type } from '@nestjs/common';
import type { EventMapping } from './event-mapping.js';
import type { EventProcessor } from './processing/event-processor.js';

/**
 * What the store knows about event types: how each class maps to the envelope, and which
 * processing handlers each type has. Filled at module init by forFeature and by the handlers
 * themselves, before the first event can be published.
 */
@Injectable()
export class EventTypeRegistry {
  private readonly byClass = new Map<Type<object>, EventMapping<object>>();
  private readonly byType = new Map<string, EventMapping<object>>();
  private readonly processors = new Map<string, Map<string, EventProcessor<object>>>();

  registerMapping<E extends object>(mapping: EventMapping<E>): void {
    if (this.byType.has(mapping.eventType)) {
      throw new Error(`event type ${mapping.eventType} is mapped twice`);
    }
    this.byClass.set(mapping.eventClass, mapping);
    this.byType.set(mapping.eventType, mapping);
  }

  registerProcessor<E extends object>(processor: EventProcessor<E>): void {
    const eventType = this.mappingForClass(processor.eventClass).eventType;
    const forType = this.processors.get(eventType) ?? new Map<string, EventProcessor<object>>();
    if (forType.has(processor.name)) {
      throw new Error(
        `event type ${eventType} has two processing handlers named ${processor.name}`,
      );
    }
    forType.set(processor.name, processor);
    this.processors.set(eventType, forType);
  }

  mappingForClass<E extends object>(eventClass: Type<E>): EventMapping<E> {
    const mapping = this.byClass.get(eventClass);
    if (!mapping) {
      throw new Error(
        `${eventClass.name} has no event mapping: import EventStoreModule.forFeature(mapping) in the module that owns it`,
      );
    }
    return mapping as unknown as EventMapping<E>;
  }

  mappingForType(eventType: string): EventMapping<object> | undefined {
    return this.byType.get(eventType);
  }

  processorNames(eventType: string): string[] {
    return [...(this.processors.get(eventType)?.keys() ?? [])].sort();
  }

  processor(eventType: string, name: string): EventProcessor<object> | undefined {
    return this.processors.get(eventType)?.get(name);
  }
}
