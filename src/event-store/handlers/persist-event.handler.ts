import type { Type } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { EventPipeline } from '../processing/event.pipeline.js';

/**
 * The persistence handler for one event class: stores each published event in ff_events.
 * `@EventsHandler` takes its event classes at decoration time, so forFeature makes one such class
 * per mapped event type; the store itself stays generic.
 */
export function persistEventHandlerFor<E extends object>(
  eventClass: Type<E>,
): Type<IEventHandler<E>> {
  @EventsHandler(eventClass)
  class PersistEventHandler implements IEventHandler<E> {
    constructor(private readonly pipeline: EventPipeline) {}

    handle(event: E): Promise<void> {
      return this.pipeline.persist(event);
    }
  }
  Object.defineProperty(PersistEventHandler, 'name', { value: `Persist${eventClass.name}Handler` });
  return PersistEventHandler;
}
