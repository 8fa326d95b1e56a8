import { Body, ConflictException, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { assertSameTenant } from '../../access/assert-same-tenant.js';
import { parseTimestamp } from '../../common/timestamp.js';
import { CurrentCaller, type Caller } from '../../access/caller.js';
import { ApiTenantScoped } from '../../docs/api-docs.decorators.js';
import { ErrorView } from '../../event-store/http/error.view.js';
import { EventPipeline } from '../../event-store/processing/event.pipeline.js';
import { OnboardingStageCompletedEvent } from '../onboarding-stage-completed.event.js';
import { PublishedEventView } from './published-event.view.js';
import { StageCompletedDto } from './stage-completed.dto.js';

@ApiTags('onboarding')
@ApiTenantScoped()
@Controller('onboarding')
export class OnboardingController {
  constructor(
    private readonly eventBus: EventBus,
    private readonly pipeline: EventPipeline,
  ) {}

  /**
   * Publishes the event on the EventBus exactly as another module would, and answers once it is
   * stored (or kept in the outage spool): a 202 is never given for an event that is then lost.
   * Its processing (the legacy log) goes on after the answer.
   */
  @Post('stage-completed')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({
    type: PublishedEventView,
    description: 'stored (or kept in the outage spool), or stored before under this eventId',
  })
  @ApiConflictResponse({
    type: ErrorView,
    description: 'the eventId belongs to another event: nothing stored, nothing run',
  })
  @ApiServiceUnavailableResponse({
    type: ErrorView,
    description: 'the database is unreachable and the spool cannot take the event; retry later',
  })
  async publish(
    @CurrentCaller() caller: Caller,
    @Body() body: StageCompletedDto,
  ): Promise<PublishedEventView> {
    const { tenantId } = caller;
    assertSameTenant(tenantId, body.tenantId);
    const event = new OnboardingStageCompletedEvent({
      ...body,
      tenantId,
      timestamp: body.timestamp === undefined ? undefined : parseTimestamp(body.timestamp),
      relatedEntity: body.relatedEntity
        ? { ...body.relatedEntity, properties: body.relatedEntity.properties ?? {} }
        : undefined,
    });
    this.eventBus.publish(event);
    const outcome = await this.pipeline.persistenceOf(event);
    if (outcome.status === 'foreign') {
      throw new ConflictException(`eventId ${event.eventId} is already used by another event`);
    }
    if (outcome.status === 'lost') throw outcome.error;
    return { eventId: outcome.envelope.eventId };
  }
}
