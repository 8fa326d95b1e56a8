import { Injectable } from '@nestjs/common';
import { INSTANCE_ID } from '../common/instance-id.js';
import { BoundSql, SqlPool } from '../database/sql.js';
import { truncate } from '../common/truncate.js';
import { GroupCommitQueue } from '../event-store/writing/group-commit.queue.js';
import type { OnboardingStageCompletedEvent } from './onboarding-stage-completed.event.js';

/**
 * Any number of legacy rows in one statement, like the ff_events insert. At most one legacy row
 * per event: the unique index on log_data->>'eventId' turns a repeat into a no-op, so a retry or
 * a duplicate publish never writes a second row.
 */
const INSERT_LOGS = new BoundSql(`
  insert into ff_stage_completion_log (tenant_id, onboarding_id, stage_id, stage_name, log_type,
    action, log_data, success, source, create_date, modify_date, create_by, modify_by)
  select r.tenant_id, r.onboarding_id, r.stage_id, r.stage_name, 'stage_completion_event',
    'OnboardingStageCompleted Event', r.log_data, true, r.source, r.now, r.now, r.actor, r.actor
  from jsonb_to_recordset(?::jsonb) as r(tenant_id varchar, onboarding_id bigint,
    stage_id bigint, stage_name varchar, log_data jsonb, source varchar, now timestamptz,
    actor varchar)
  on conflict ((log_data ->> 'eventId')) do nothing`);

interface LogRow {
  readonly event: OnboardingStageCompletedEvent;
  readonly now: Date;
}

/**
 * Writes the legacy table ff_stage_completion_log, shape-compatible with the original system,
 * through a group-commit queue: many events' rows per statement, each caller resolved once its
 * row is committed.
 */
@Injectable()
export class StageCompletionLogRepository {
  private readonly queue: GroupCommitQueue<LogRow, undefined>;

  constructor(db: SqlPool) {
    this.queue = new GroupCommitQueue({
      maxBatch: 500,
      maxConcurrent: 2,
      maxQueued: 20_000,
      flush: async (rows) => {
        await INSERT_LOGS.run(db, [JSON.stringify(rows.map(toRecord))]);
        return rows.map(() => undefined);
      },
    });
  }

  async append(event: OnboardingStageCompletedEvent, now: Date): Promise<void> {
    await this.queue.submit({ event, now });
  }
}

function toRecord({ event, now }: LogRow) {
  return {
    tenant_id: truncate(event.tenantId, 50),
    onboarding_id: event.onboardingId,
    stage_id: event.completedStageId,
    stage_name: truncate(event.completedStageName, 200),
    log_data: {
      ...event,
      processedAt: now.toISOString(),
      processedBy: INSTANCE_ID,
    },
    source: truncate(event.source || 'Unknown', 50),
    now: now.toISOString(),
    actor: INSTANCE_ID.slice(0, 100),
  };
}
