import { Global, Module } from '@nestjs/common';
import { EventMetrics } from './event.metrics.js';
import { MetricsController } from './metrics.controller.js';

/** Prometheus metrics at /metrics; EventMetrics is injected wherever something is counted. */
@Global()
@Module({
  providers: [EventMetrics],
  controllers: [MetricsController],
  exports: [EventMetrics],
})
export class MetricsModule {}
