import { EventsHandler } from '@nestjs/cqrs';
import { Clock } from '../../common/clock.js';
import { EventProcessingHandler } from '../../event-store/handlers/event-processing.handler.js';
import { OnboardingStageCompletedEvent } from '../onboarding-stage-completed.event.js';
import { StageCompletionLogRepository } from '../stage-completion-log.repository.js';

/** Keeps the legacy ff_stage_completion_log written, for the readers of the original system. */
@EventsHandler(OnboardingStageCompletedEvent)
export class LegacyStageLogHandler extends EventProcessingHandler<OnboardingStageCompletedEvent> {
  readonly eventClass = OnboardingStageCompletedEvent;
  readonly name = 'legacy-stage-log';

  constructor(
    private readonly log: StageCompletionLogRepository,
    private readonly clock: Clock,
  ) {
    super();
  }

  async process(event: OnboardingStageCompletedEvent): Promise<void> {
    await this.log.append(event, this.clock.now());
  }
}
