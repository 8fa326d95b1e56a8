import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { OrderShippedEvent } from './order-shipped.event.js';

/** The module's own logic: it publishes on the EventBus and knows nothing of the store. */
@Injectable()
export class ShippingService {
  constructor(private readonly eventBus: EventBus) {}

  ship(tenantId: string, orderId: number, carrier: string, trackingCode: string): string {
    const event = new OrderShippedEvent(tenantId, orderId, carrier, trackingCode);
    this.eventBus.publish(event);
    return event.eventId;
  }
}
