import type { EventMapping } from '../event-store/event-mapping.js';
import {
  OnboardingStageCompletedEvent,
  type OnboardingStageCompletedProps,
} from './onboarding-stage-completed.event.js';

/** SPEC §2's mapping of the event onto a stored event. */
export const onboardingStageCompletedMapping: EventMapping<OnboardingStageCompletedEvent> = {
  eventClass: OnboardingStageCompletedEvent,
  eventType: 'OnboardingStageCompleted',
  toEnvelope: (event) => ({
    eventId: event.eventId,
    eventType: 'OnboardingStageCompleted',
    eventVersion: event.version,
    eventTimestamp: event.timestamp,
    aggregateId: String(event.onboardingId),
    aggregateType: 'Onboarding',
    eventSource: event.source || 'Unknown',
    // The whole event. A shallow copy, not a JSON round trip: it is serialised once, when its
    // batch is written (the timestamp then becomes ISO 8601), and events are not mutated.
    eventData: { ...event },
    eventMetadata: {
      routingTags: event.routingTags,
      priority: event.priority,
      source: event.source,
    },
    eventDescription: event.description,
    eventTags: event.tags,
    relatedEntityId: String(event.completedStageId),
    relatedEntityType: 'Stage',
    tenantId: event.tenantId,
  }),
  fromData: (data) => {
    const props = data as unknown as OnboardingStageCompletedProps & { timestamp: string };
    return new OnboardingStageCompletedEvent({ ...props, timestamp: new Date(props.timestamp) });
  },
};
