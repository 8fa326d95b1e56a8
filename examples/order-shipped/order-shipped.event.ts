import { randomUUID } from 'node:crypto';

/**
 * A domain event of another module: an order left the warehouse. Plain data, published on the
 * CQRS EventBus; the store persists it through its mapping (order-shipped.mapping.ts).
 */
export class OrderShippedEvent {
  constructor(
    readonly tenantId: string,
    readonly orderId: number,
    readonly carrier: string,
    readonly trackingCode: string,
    /** A UUID: event ids are unique across tenants, so never derive them from your own sequence. */
    readonly eventId: string = randomUUID(),
    readonly shippedAt: Date = new Date(),
  ) {}
}
