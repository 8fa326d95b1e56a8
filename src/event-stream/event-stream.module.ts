import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { EventStreamController } from './http/event-stream.controller.js';
import { SubscriptionsController } from './http/subscriptions.controller.js';
import { StreamHub } from './live/stream-hub.js';
import { StreamMetrics } from './stream.metrics.js';
import { StreamWakeup } from './stream-wakeup.js';
import { SubscriptionsService } from './subscriptions/subscriptions.service.js';

/**
 * The stream of stored events (SPEC §11): in-process subscriptions (providers decorated with
 * @StreamSubscription), the live Server-Sent Events route, and their operations.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [StreamWakeup, StreamMetrics, StreamHub, SubscriptionsService],
  controllers: [EventStreamController, SubscriptionsController],
  exports: [SubscriptionsService, StreamWakeup],
})
export class EventStreamModule {}
