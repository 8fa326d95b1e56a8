import { randomUUID } from 'node:crypto';
import { Body, ConflictException, Controller, HttpStatus, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Clock } from '../../common/clock.js';
import { EventStore } from '../event.store.js';
import { EventPipeline } from '../processing/event.pipeline.js';
import { AppendEventDto } from './append-event.dto.js';
import { toEventResponse, type EventResponse } from './event-response.js';
import { assertSameTenant, Tenant } from './tenant.decorator.js';

@Controller('events')
export class EventsController {
  constructor(
    private readonly pipeline: EventPipeline,
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  /** 201 with the stored event; the same eventId again: 200 with the event as stored. */
  @Post()
  async append(
    @Tenant() tenantId: string,
    @Body() body: AppendEventDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EventResponse> {
    assertSameTenant(tenantId, body.tenantId);
    const eventId = body.eventId ?? randomUUID();
    const created = await this.pipeline.append({
      eventId,
      eventType: body.eventType,
      eventVersion: body.eventVersion ?? '1.0',
      eventTimestamp: body.eventTimestamp ? new Date(body.eventTimestamp) : this.clock.now(),
      aggregateId: body.aggregateId,
      aggregateType: body.aggregateType,
      eventSource: body.eventSource ?? 'Unknown',
      eventData: body.eventData,
      eventMetadata: body.eventMetadata ?? {},
      eventDescription: body.eventDescription ?? null,
      eventTags: body.eventTags ?? [],
      relatedEntityId: body.relatedEntityId ?? null,
      relatedEntityType: body.relatedEntityType ?? null,
      tenantId,
    });
    const stored = await this.store.findByEventId(eventId);
    // Nothing of another tenant's event is returned; the id is simply not available.
    if (!stored || stored.tenantId !== tenantId) {
      throw new ConflictException(`eventId ${eventId} is already used by another event`);
    }
    void reply.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return toEventResponse(stored);
  }
}
