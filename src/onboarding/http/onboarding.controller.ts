import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiTags } from '@nestjs/swagger';
import { assertSameTenant } from '../../access/assert-same-tenant.js';
import { CurrentCaller, type Caller } from '../../access/caller.js';
import { ApiTenantScoped } from '../../docs/api-docs.decorators.js';
import { OnboardingStageCompletedEvent } from '../onboarding-stage-completed.event.js';
import { PublishedEventView } from './published-event.view.js';
import { StageCompletedDto } from './stage-completed.dto.js';

@ApiTags('onboarding')
@ApiTenantScoped()
@Controller('onboarding')
export class OnboardingController {
  constructor(private readonly eventBus: EventBus) {}

  /** Publishes the event on the EventBus exactly as another module would; 202 before storage. */
  @Post('stage-completed')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ type: PublishedEventView })
  publish(@CurrentCaller() caller: Caller, @Body() body: StageCompletedDto): PublishedEventView {
    const { tenantId } = caller;
    assertSameTenant(tenantId, body.tenantId);
    const event = new OnboardingStageCompletedEvent({
      ...body,
      tenantId,
      timestamp: body.timestamp ? new Date(body.timestamp) : undefined,
      relatedEntity: body.relatedEntity
        ? { ...body.relatedEntity, properties: body.relatedEntity.properties ?? {} }
        : undefined,
    });
    this.eventBus.publish(event);
    return { eventId: event.eventId };
  }
}
