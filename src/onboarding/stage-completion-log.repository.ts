import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { INSTANCE_ID } from '../common/instance-id.js';
import { truncate } from '../common/truncate.js';
import type { OnboardingStageCompletedEvent } from './onboarding-stage-completed.event.js';

/**
 * At most one legacy row per event: the unique index on log_data->>'eventId' turns a repeat into
 * a no-op, so a retry or a duplicate publish never writes a second row.
 */
const INSERT_LOG = `
  insert into ff_stage_completion_log (tenant_id, onboarding_id, stage_id, stage_name, log_type,
    action, log_data, success, source, create_date, modify_date, create_by, modify_by)
  values (?, ?, ?, ?, 'stage_completion_event', 'OnboardingStageCompleted Event', ?::jsonb, true,
    ?, ?, ?, ?, ?)
  on conflict ((log_data ->> 'eventId')) do nothing`;

/** Writes the legacy table ff_stage_completion_log, shape-compatible with the original system. */
@Injectable()
export class StageCompletionLogRepository {
  constructor(private readonly em: EntityManager) {}

  async append(event: OnboardingStageCompletedEvent, now: Date): Promise<void> {
    const logData = {
      ...(JSON.parse(JSON.stringify(event)) as Record<string, unknown>),
      processedAt: now.toISOString(),
      processedBy: INSTANCE_ID,
    };
    await this.em
      .fork()
      .execute(INSERT_LOG, [
        truncate(event.tenantId, 50),
        event.onboardingId,
        event.completedStageId,
        truncate(event.completedStageName, 200),
        JSON.stringify(logData),
        truncate(event.source || 'Unknown', 50),
        now,
        now,
        INSTANCE_ID.slice(0, 100),
        INSTANCE_ID.slice(0, 100),
      ]);
  }
}
