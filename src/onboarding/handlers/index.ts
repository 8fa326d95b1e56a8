import { LegacyStageLogHandler } from './legacy-stage-log.handler.js';

export const OnboardingEventHandlers = [LegacyStageLogHandler];
