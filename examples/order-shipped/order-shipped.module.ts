import { Module } from '@nestjs/common';
import { EventStoreModule } from '../../src/event-store/event-store.module.js';
import { CustomerNotifier } from './customer-notifier.js';
import { NotifyCustomerHandler } from './notify-customer.handler.js';
import { orderShippedMapping } from './order-shipped.mapping.js';
import { ShippingService } from './shipping.service.js';

/**
 * A complete event type, as another team adds one: import this module where the service's
 * AppModule imports OnboardingModule (src/app.module.ts), or pass it to createApp's `imports`.
 * forFeature registers the mapping and the persistence handler; the processing handler is an
 * ordinary provider.
 */
@Module({
  imports: [EventStoreModule.forFeature(orderShippedMapping)],
  providers: [ShippingService, CustomerNotifier, NotifyCustomerHandler],
  exports: [ShippingService, CustomerNotifier],
})
export class OrderShippedModule {}
