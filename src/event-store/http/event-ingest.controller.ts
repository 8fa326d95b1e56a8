import { randomUUID } from 'node:crypto';
import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  HttpStatus,
  Post,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { SpooledEventView } from './spooled-event.view.js';
import type { FastifyReply } from 'fastify';
import { assertSameTenant } from '../../access/assert-same-tenant.js';
import { CurrentCaller, type Caller } from '../../access/caller.js';
import { Clock } from '../../common/clock.js';
import { parseTimestamp } from '../../common/timestamp.js';
import { ApiTenantScoped } from '../../docs/api-docs.decorators.js';
import type { EventEnvelope } from '../event-envelope.js';
import { EventPipeline } from '../processing/event.pipeline.js';
import { EventQueries } from '../queries/event.queries.js';
import { AppendEventDto } from './append-event.dto.js';
import { ErrorView } from './error.view.js';
import { EventView } from './event.view.js';

/** Metadata the service keeps on each event (handler states, timing, manual closing). */
const RESERVED_METADATA = ['handlers', 'processingInfo', 'markedProcessed'];

@ApiTags('events')
@ApiTenantScoped()
@Controller('events')
export class EventIngestController {
  constructor(
    private readonly pipeline: EventPipeline,
    private readonly queries: EventQueries,
    private readonly clock: Clock,
  ) {}

  /** 201 with the stored event; the same eventId again: 200 with the event as stored. */
  @Post()
  @ApiCreatedResponse({ type: EventView, description: 'stored' })
  @ApiOkResponse({ type: EventView, description: 'already stored under this eventId' })
  @ApiConflictResponse({ type: ErrorView, description: 'the eventId belongs to another event' })
  @ApiAcceptedResponse({
    type: SpooledEventView,
    description:
      'the database is unreachable; the event is kept on disk and stored when it is back',
  })
  @ApiServiceUnavailableResponse({
    type: ErrorView,
    description: 'the database is unreachable and the spool cannot take the event; retry later',
  })
  async append(
    @CurrentCaller() caller: Caller,
    @Body() body: AppendEventDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EventView | SpooledEventView> {
    assertSameTenant(caller.tenantId, body.tenantId);
    const eventId = body.eventId ?? randomUUID();
    const reserved = RESERVED_METADATA.filter((key) =>
      Object.hasOwn(body.eventMetadata ?? {}, key),
    );
    if (reserved.length > 0) {
      throw new BadRequestException(
        reserved.map((key) => `eventMetadata.${key} is written by the service only`).join('; '),
      );
    }
    const envelope: EventEnvelope = {
      eventId,
      eventType: body.eventType,
      eventVersion: body.eventVersion ?? '1.0',
      eventTimestamp:
        body.eventTimestamp === undefined ? this.clock.now() : parseTimestamp(body.eventTimestamp)!,
      aggregateId: body.aggregateId,
      aggregateType: body.aggregateType,
      eventSource: body.eventSource ?? 'Unknown',
      eventData: body.eventData,
      eventMetadata: body.eventMetadata ?? {},
      eventDescription: body.eventDescription ?? null,
      eventTags: body.eventTags ?? [],
      relatedEntityId: body.relatedEntityId ?? null,
      relatedEntityType: body.relatedEntityType ?? null,
      tenantId: caller.tenantId,
    };
    const problem = this.pipeline.dataProblem(envelope);
    if (problem !== undefined) throw new BadRequestException(problem);
    const outcome = await this.pipeline.append(envelope);
    switch (outcome.status) {
      case 'spooled':
        // Durable on local disk, not yet in the database: accepted, to be stored when it is back.
        void reply.status(HttpStatus.ACCEPTED);
        return { eventId, status: 'spooled' };
      case 'lost':
        throw outcome.error;
      case 'foreign':
        // Another tenant's event is not even acknowledged to exist: the id is simply taken.
        throw new ConflictException(`eventId ${eventId} is already used by another event`);
      case 'created':
        void reply.status(HttpStatus.CREATED);
        return EventView.fromRow(outcome.row!);
      case 'duplicate':
        break;
    }
    // Stored before by this tenant: read back within the tenant, deleted rows included.
    const stored = await this.queries.byEventId(
      { tenantId: caller.tenantId, includeDeleted: true },
      eventId,
    );
    if (!stored) throw new ConflictException(`eventId ${eventId} is already used by another event`);
    if (!stored.is_valid) {
      throw new ConflictException(
        `eventId ${eventId} was used by an event that has since been deleted; ids are never reused`,
      );
    }
    void reply.status(HttpStatus.OK);
    return EventView.fromRow(stored);
  }
}
