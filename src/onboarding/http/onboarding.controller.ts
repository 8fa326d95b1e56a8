import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { assertSameTenant, Tenant } from '../../event-store/http/tenant.decorator.js';
import { OnboardingStageCompletedEvent } from '../onboarding-stage-completed.event.js';
import { StageCompletedDto } from './stage-completed.dto.js';

@Controller('onboarding')
export class OnboardingController {
  constructor(private readonly eventBus: EventBus) {}

  /** Publishes the event on the EventBus exactly as another module would; 202 before storage. */
  @Post('stage-completed')
  @HttpCode(HttpStatus.ACCEPTED)
  publish(@Tenant() tenantId: string, @Body() body: StageCompletedDto): { eventId: string } {
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
