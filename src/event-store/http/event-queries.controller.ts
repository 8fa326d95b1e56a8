import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentCaller, type Caller } from '../../access/caller.js';
import { ApiTenantScoped } from '../../docs/api-docs.decorators.js';
import { EventStatisticsQuery } from '../queries/event-statistics.query.js';
import { EventTimelineQuery } from '../queries/event-timeline.query.js';
import { EventQueries } from '../queries/event.queries.js';
import { readScope } from '../queries/read-scope.js';
import { ErrorView } from './error.view.js';
import { EventPageView } from './event-page.view.js';
import { AggregateParams, EventIdParams, EventTypeParams } from './event-route.params.js';
import { EventStatisticsView, EventTimelineView } from './event-statistics.view.js';
import { EventView } from './event.view.js';
import {
  AggregateEventsQuery,
  EventLookupQuery,
  EventsByTypeQuery,
  LimitQuery,
  StatisticsQuery,
  TimelineQuery,
} from './list-queries.dto.js';
import { QueryEventsDto } from './query-events.dto.js';
import { toEventQuery } from './to-event-query.js';

/** The reads of SPEC §9; each sees only the caller's tenant (see ScopedWhere). */
@ApiTags('events')
@ApiTenantScoped()
@Controller('events')
export class EventQueriesController {
  constructor(
    private readonly queries: EventQueries,
    private readonly statistics: EventStatisticsQuery,
    private readonly timeline: EventTimelineQuery,
  ) {}

  @Get()
  @ApiOkResponse({ type: EventPageView })
  async query(
    @CurrentCaller() caller: Caller,
    @Query() query: QueryEventsDto,
  ): Promise<EventPageView> {
    const page = await this.queries.page(
      readScope(caller, query.includeDeleted),
      toEventQuery(query),
    );
    return { ...page, items: page.items.map((row) => EventView.fromRow(row)) };
  }

  @Get('statistics')
  @ApiOkResponse({ type: EventStatisticsView })
  getStatistics(
    @CurrentCaller() caller: Caller,
    @Query() query: StatisticsQuery,
  ): Promise<EventStatisticsView> {
    return this.statistics.compute(readScope(caller), query.days);
  }

  @Get('statistics/timeline')
  @ApiOkResponse({ type: EventTimelineView })
  getTimeline(
    @CurrentCaller() caller: Caller,
    @Query() query: TimelineQuery,
  ): Promise<EventTimelineView> {
    return this.timeline.compute(readScope(caller), query.days, query.bucket);
  }

  @Get('failed')
  @ApiOkResponse({
    type: [EventView],
    description: 'Failed events whose retry is due, oldest due first',
  })
  async failed(@CurrentCaller() caller: Caller, @Query() query: LimitQuery): Promise<EventView[]> {
    const rows = await this.queries.failedDueForRetry(readScope(caller), query.limit);
    return rows.map((row) => EventView.fromRow(row));
  }

  @Get('types/:eventType')
  @ApiOkResponse({ type: [EventView], description: 'newest first' })
  async byType(
    @CurrentCaller() caller: Caller,
    @Param() params: EventTypeParams,
    @Query() query: EventsByTypeQuery,
  ): Promise<EventView[]> {
    const rows = await this.queries.byType(
      readScope(caller),
      params.eventType,
      query.days,
      query.limit,
    );
    return rows.map((row) => EventView.fromRow(row));
  }

  @Get('aggregates/:aggregateType/:aggregateId')
  @ApiOkResponse({ type: [EventView], description: 'newest first, or replay order with order=asc' })
  async byAggregate(
    @CurrentCaller() caller: Caller,
    @Param() params: AggregateParams,
    @Query() query: AggregateEventsQuery,
  ): Promise<EventView[]> {
    const rows = await this.queries.byAggregate(
      readScope(caller),
      params.aggregateType,
      params.aggregateId,
      query.order,
      query.limit,
    );
    return rows.map((row) => EventView.fromRow(row));
  }

  @Get(':eventId')
  @ApiOkResponse({ type: EventView })
  @ApiNotFoundResponse({ type: ErrorView, description: "absent, soft-deleted or another tenant's" })
  async one(
    @CurrentCaller() caller: Caller,
    @Param() params: EventIdParams,
    @Query() query: EventLookupQuery,
  ): Promise<EventView> {
    const row = await this.queries.byEventId(
      readScope(caller, query.includeDeleted),
      params.eventId,
    );
    if (!row) throw new NotFoundException(`event ${params.eventId} not found`);
    return EventView.fromRow(row);
  }
}
