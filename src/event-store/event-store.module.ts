import { Global, Module, type DynamicModule } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import type { EventMapping } from './event-mapping.js';
import { EventTypeRegistry } from './event-type.registry.js';
import { persistEventHandlerFor } from './handlers/persist-event.handler.js';
import { EventIngestController } from './http/event-ingest.controller.js';
import { EventOperationsController } from './http/event-operations.controller.js';
import { EventQueriesController } from './http/event-queries.controller.js';
import { EventOperations } from './operations/event.operations.js';
import { BulkRetryOperations } from './operations/bulk-retry.operations.js';
import { FailuresController } from './http/failures.controller.js';
import { EventPipeline } from './processing/event.pipeline.js';
import { InFlightTracker } from './processing/in-flight.tracker.js';
import { RetryPolicy } from './processing/retry-policy.js';
import { DescriptionTrigramsQuery } from './queries/description-trigrams.query.js';
import { KeywordTrigramsQuery } from './queries/keyword-trigrams.query.js';
import { EventStatisticsQuery } from './queries/event-statistics.query.js';
import { EventTimelineQuery } from './queries/event-timeline.query.js';
import { KnownTenantsQuery } from './queries/known-tenants.query.js';
import { SessionController } from './http/session.controller.js';
import { EventQueries } from './queries/event.queries.js';
import { EventWriter } from './writing/event.writer.js';
import { OutageSpool } from './spool/outage.spool.js';
import { RetentionSweeper } from './sweeps/retention.sweeper.js';
import { RetrySweeper } from './sweeps/retry.sweeper.js';

/** The store, its pipeline, sweeps, queries and operations, and their REST routes. Event-owning modules import forFeature. */
@Global()
@Module({
  providers: [
    Clock,
    RetryPolicy,
    EventTypeRegistry,
    EventWriter,
    OutageSpool,
    InFlightTracker,
    EventPipeline,
    EventQueries,
    DescriptionTrigramsQuery,
    KeywordTrigramsQuery,
    EventStatisticsQuery,
    EventTimelineQuery,
    KnownTenantsQuery,
    EventOperations,
    BulkRetryOperations,
    RetrySweeper,
    RetentionSweeper,
  ],
  controllers: [
    EventIngestController,
    EventQueriesController,
    EventOperationsController,
    FailuresController,
    SessionController,
  ],
  exports: [
    Clock,
    EventTypeRegistry,
    EventWriter,
    EventPipeline,
    EventQueries,
    RetrySweeper,
    RetentionSweeper,
  ],
})
export class EventStoreModule {
  /**
   * Plugs one event type in: registers how it maps to the envelope and adds its persistence
   * handler. The owning module adds its processing handlers as ordinary providers.
   */
  static forFeature<E extends object>(mapping: EventMapping<E>): DynamicModule {
    return {
      module: EventStoreFeatureModule,
      providers: [
        persistEventHandlerFor(mapping.eventClass),
        {
          provide: `EventMapping:${mapping.eventType}`,
          inject: [EventTypeRegistry],
          useFactory: (registry: EventTypeRegistry) => {
            registry.registerMapping(mapping);
            return mapping;
          },
        },
      ],
    };
  }
}

@Module({})
class EventStoreFeatureModule {}
