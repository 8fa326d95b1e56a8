import { Module } from '@nestjs/common';
import { EventStoreModule } from '../event-store/event-store.module.js';
import { OnboardingEventHandlers } from './handlers/index.js';
import { OnboardingController } from './http/onboarding.controller.js';
import { onboardingStageCompletedMapping } from './onboarding-stage-completed.mapping.js';
import { StageCompletionLogRepository } from './stage-completion-log.repository.js';

/** The first publisher: its event, its mapping, and the legacy log kept for the old readers. */
@Module({
  imports: [EventStoreModule.forFeature(onboardingStageCompletedMapping)],
  controllers: [OnboardingController],
  providers: [StageCompletionLogRepository, ...OnboardingEventHandlers],
})
export class OnboardingModule {}
