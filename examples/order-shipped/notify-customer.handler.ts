import { EventsHandler } from '@nestjs/cqrs';
import { EventProcessingHandler } from '../../src/event-store/handlers/event-processing.handler.js';
import { CustomerNotifier } from './customer-notifier.js';
import { OrderShippedEvent } from './order-shipped.event.js';

/**
 * A processing handler: it runs once the event is stored as new for its tenant, its outcome is
 * recorded on the event's row, and a failure is retried with backoff from the stored eventData.
 * It may run more than once for one event (a retry after a crash): make its effect idempotent.
 */
@EventsHandler(OrderShippedEvent)
export class NotifyCustomerHandler extends EventProcessingHandler<OrderShippedEvent> {
  readonly eventClass = OrderShippedEvent;
  /** Stable: the key of this handler's state in eventMetadata.handlers. Never rename it. */
  readonly name = 'notify-customer';

  constructor(private readonly notifier: CustomerNotifier) {
    super();
  }

  async process(event: OrderShippedEvent): Promise<void> {
    await this.notifier.notify(
      event.orderId,
      `Your order ${event.orderId} is on its way: ${event.carrier} ${event.trackingCode}`,
    );
  }
}
