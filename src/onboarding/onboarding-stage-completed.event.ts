import { randomUUID } from 'node:crypto';

export interface RelatedEntity {
  entityType: string;
  entityId: string;
  entityName: string;
  entityStatus: string;
  properties: Record<string, unknown>;
}

type Defaulted =
  | 'eventId'
  | 'timestamp'
  | 'version'
  | 'priority'
  | 'businessContext'
  | 'routingTags'
  | 'tags'
  | 'description';

/** The fields of SPEC §2; those with defaults may be left out. */
export type OnboardingStageCompletedProps = Omit<OnboardingStageCompletedEvent, Defaulted> &
  Partial<Pick<OnboardingStageCompletedEvent, Defaulted>>;

/**
 * An onboarding case finished one of its workflow stages. Published on the EventBus by the
 * onboarding workflow (or over POST /api/onboarding/stage-completed). int64 ids are numbers here,
 * as the original's JSON has them: safe integers only.
 */
export class OnboardingStageCompletedEvent {
  readonly eventId: string;
  readonly timestamp: Date;
  readonly version: string;
  readonly tenantId: string;
  readonly onboardingId: number;
  readonly leadId: string;
  readonly workflowId: number;
  readonly workflowName: string;
  readonly completedStageId: number;
  readonly completedStageName: string;
  readonly stageCategory: string;
  readonly nextStageId?: number | null;
  readonly nextStageName?: string | null;
  /** 0 to 100. */
  readonly completionRate: number;
  readonly isFinalStage: boolean;
  readonly responsibleTeam: string;
  readonly assigneeId?: number | null;
  readonly assigneeName: string;
  readonly businessContext: Record<string, unknown>;
  readonly routingTags: string[];
  readonly priority: string;
  readonly source: string;
  readonly relatedEntity?: RelatedEntity | null;
  readonly description: string;
  readonly tags: string[];

  constructor(props: OnboardingStageCompletedProps) {
    this.eventId = props.eventId ?? randomUUID();
    this.timestamp = props.timestamp ?? new Date();
    this.version = props.version ?? '1.0';
    this.tenantId = props.tenantId;
    this.onboardingId = props.onboardingId;
    this.leadId = props.leadId;
    this.workflowId = props.workflowId;
    this.workflowName = props.workflowName;
    this.completedStageId = props.completedStageId;
    this.completedStageName = props.completedStageName;
    this.stageCategory = props.stageCategory;
    this.nextStageId = props.nextStageId ?? null;
    this.nextStageName = props.nextStageName ?? null;
    this.completionRate = props.completionRate;
    this.isFinalStage = props.isFinalStage;
    this.responsibleTeam = props.responsibleTeam;
    this.assigneeId = props.assigneeId ?? null;
    this.assigneeName = props.assigneeName;
    this.businessContext = props.businessContext ?? {};
    this.routingTags = props.routingTags ?? [];
    this.priority = props.priority ?? 'Medium';
    this.source = props.source;
    this.relatedEntity = props.relatedEntity ?? null;
    this.description = props.description ?? '';
    this.tags = props.tags ?? [];
  }
}
