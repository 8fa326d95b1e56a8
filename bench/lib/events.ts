import { OnboardingStageCompletedEvent } from '../../src/onboarding/onboarding-stage-completed.event.js';

const FILLER = 'x'.repeat(240);

/** An OnboardingStageCompletedEvent of about 1 KB as JSON, varied by index. */
export function stageCompleted(index: number, tenants = 10): OnboardingStageCompletedEvent {
  return new OnboardingStageCompletedEvent({
    tenantId: `tenant-${index % tenants}`,
    onboardingId: 1_000_000 + (index % 50_000),
    leadId: `lead-${index}`,
    workflowId: 1 + (index % 20),
    workflowName: 'Standard onboarding workflow',
    completedStageId: 1 + (index % 12),
    completedStageName: `Stage ${index % 12}`,
    stageCategory: 'Compliance',
    nextStageId: 2 + (index % 12),
    nextStageName: `Stage ${(index + 1) % 12}`,
    completionRate: index % 101,
    isFinalStage: index % 12 === 11,
    responsibleTeam: 'Operations',
    assigneeId: 100 + (index % 40),
    assigneeName: 'Ana Example',
    businessContext: { region: index % 2 ? 'EU' : 'US', channel: 'web', notes: FILLER },
    routingTags: ['ops', `queue-${index % 5}`],
    priority: 'Medium',
    source: 'Workflow',
    relatedEntity: {
      entityType: 'Stage',
      entityId: String(index % 12),
      entityName: `Stage ${index % 12}`,
      entityStatus: 'Done',
      properties: { reviewer: 'bo' },
    },
    description: `Stage ${index % 12} completed for onboarding ${index}`,
    tags: ['onboarding', `stage-${index % 12}`],
  });
}
