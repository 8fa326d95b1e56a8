import type { EventMapping } from '../../src/event-store/event-mapping.js';
import { OrderShippedEvent } from './order-shipped.event.js';

/**
 * How an OrderShippedEvent becomes a row of ff_events (toEnvelope) and comes back for a retry
 * (fromData). Every field of the envelope:
 */
export const orderShippedMapping: EventMapping<OrderShippedEvent> = {
  eventClass: OrderShippedEvent,
  eventType: 'OrderShipped',
  toEnvelope: (event) => ({
    // Unique across all tenants; the same id again is a duplicate and writes nothing.
    eventId: event.eventId,
    // The event_type column; the same string as the mapping's eventType.
    eventType: 'OrderShipped',
    // Bump when eventData's shape changes, so that readers (and fromData) can tell versions apart.
    eventVersion: '1.0',
    // When it happened (not when it was stored): reads sort and filter by this.
    eventTimestamp: event.shippedAt,
    // The aggregate the event belongs to: an int64 as a decimal string, and its type.
    aggregateId: String(event.orderId),
    aggregateType: 'Order',
    // Who produced it, for filtering and statistics (up to 50 characters).
    eventSource: 'Shipping',
    // Everything fromData needs to rebuild the event: retries run handlers from this.
    eventData: {
      eventId: event.eventId,
      tenantId: event.tenantId,
      orderId: event.orderId,
      carrier: event.carrier,
      trackingCode: event.trackingCode,
      shippedAt: event.shippedAt.toISOString(),
    },
    // Free-form context of your own; handlers, processingInfo and markedProcessed are the store's.
    eventMetadata: { correlationId: `order-${event.orderId}` },
    // Searchable with ?keyword= (up to 500 characters; longer is cut).
    eventDescription: `order ${event.orderId} shipped with ${event.carrier}`,
    // Filterable with ?tags= (all given tags must be present).
    eventTags: ['shipping', event.carrier.toLowerCase()],
    // Another entity the event concerns, filterable with ?relatedEntityId=&relatedEntityType=.
    relatedEntityId: null,
    relatedEntityType: null,
    // The tenant that owns it: every read and write is scoped to it.
    tenantId: event.tenantId,
  }),
  fromData: (data) =>
    new OrderShippedEvent(
      data.tenantId as string,
      data.orderId as number,
      data.carrier as string,
      data.trackingCode as string,
      data.eventId as string,
      new Date(data.shippedAt as string),
    ),
};
