import { BigIntType, type Opt } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * One row of the legacy table `ff_stage_completion_log`, kept shape-compatible with the original
 * system so that its readers keep working. At most one row per event: the migration adds a unique
 * index on `log_data->>'eventId'` rather than a new column, so the legacy shape is unchanged.
 */
@Entity({ tableName: 'ff_stage_completion_log' })
@Index({
  name: 'idx_ff_stage_completion_log_event_id',
  expression:
    "create unique index idx_ff_stage_completion_log_event_id on ff_stage_completion_log ((log_data ->> 'eventId'))",
})
@Index({
  name: 'idx_ff_stage_completion_log_onboarding',
  expression:
    'create index idx_ff_stage_completion_log_onboarding on ff_stage_completion_log (tenant_id, onboarding_id, create_date desc)',
})
export class StageCompletionLog {
  @PrimaryKey({
    type: new BigIntType('string'),
    autoincrement: true,
    generated: 'by default as identity',
  })
  id!: string;

  @Property({ columnType: 'varchar(50)' })
  tenantId!: string;

  @Property({ type: new BigIntType('string') })
  onboardingId!: string;

  @Property({ type: new BigIntType('string') })
  stageId!: string;

  @Property({ columnType: 'varchar(200)' })
  stageName!: string;

  @Property({ columnType: 'varchar(50)' })
  logType: string & Opt = 'stage_completion_event';

  @Property({ columnType: 'varchar(100)' })
  action: string & Opt = 'OnboardingStageCompleted Event';

  @Property({ type: 'json', columnType: 'jsonb' })
  logData!: Record<string, unknown>;

  @Property({ columnType: 'boolean' })
  success: boolean & Opt = true;

  @Property({ columnType: 'varchar(2000)', nullable: true })
  errorMessage?: string | null;

  @Property({ columnType: 'varchar(50)', nullable: true })
  networkStatus?: string | null;

  @Property({ columnType: 'int', nullable: true })
  responseTime?: number | null;

  @Property({ columnType: 'varchar(500)', nullable: true })
  userAgent?: string | null;

  @Property({ columnType: 'varchar(500)', nullable: true })
  requestUrl?: string | null;

  @Property({ columnType: 'varchar(50)', nullable: true })
  source?: string | null;

  @Property({ columnType: 'varchar(50)', nullable: true })
  ipAddress?: string | null;

  @Property({ columnType: 'varchar(100)', nullable: true })
  sessionId?: string | null;

  @Property({ columnType: 'boolean' })
  isValid: boolean & Opt = true;

  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  createDate: Date & Opt = new Date();

  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  modifyDate: Date & Opt = new Date();

  @Property({ columnType: 'varchar(100)' })
  createBy: string & Opt = 'system';

  @Property({ columnType: 'varchar(100)' })
  modifyBy: string & Opt = 'system';

  @Property({ type: new BigIntType('string'), nullable: true })
  createUserId?: string | null;

  @Property({ type: new BigIntType('string'), nullable: true })
  modifyUserId?: string | null;
}
