import { toDate } from '../../common/timestamp.js';
import { BoundSql } from '../../database/sql.js';
import type { SqlExecutor } from '../../database/sql.js';
import type { EventStatus } from '../entities/event-status.js';

/** Which event an outcome is about: an id is only ever looked up within its tenant. */
export interface EventKey {
  readonly eventId: string;
  readonly tenantId: string;
}

/** The processing columns of a row, read under its row lock. */
export interface LockedEvent extends EventKey {
  readonly eventType: string;
  readonly eventStatus: EventStatus;
  readonly eventMetadata: Record<string, unknown>;
  readonly processCount: number;
  readonly maxRetryCount: number;
  readonly nextRetryAt: Date | null;
}

/** The new processing columns of one row. */
export interface OutcomeWrite extends EventKey {
  readonly eventStatus: EventStatus;
  readonly eventMetadata: Record<string, unknown>;
  readonly errorMessage: string | null;
  readonly requiresRetry: boolean;
  readonly nextRetryAt: Date | null;
}

/**
 * Locks the rows a batch of outcomes is about, in id order: two batches sharing rows take their
 * locks in the same order and cannot deadlock. The join is on (event_id, tenant_id): an outcome
 * reported for one tenant never reads, locks or changes a row of another, whatever id it names.
 */
const LOCK = new BoundSql(`
  select e.event_id, e.tenant_id, e.event_type, e.event_status, e.event_metadata,
    e.process_count, e.max_retry_count, e.next_retry_at
  from ff_events as e
  join jsonb_to_recordset(?::jsonb) as r(event_id varchar, tenant_id varchar)
    on e.event_id = r.event_id and e.tenant_id = r.tenant_id
  order by e.id
  for update of e`);

/** Writes a batch of outcomes in one statement; the same tenant condition as the lock. */
const WRITE = new BoundSql(`
  update ff_events as e
  set event_status = r.event_status, event_metadata = r.event_metadata,
      error_message = r.error_message, requires_retry = r.requires_retry,
      next_retry_at = r.next_retry_at, modify_date = r.now, modify_by = r.actor
  from jsonb_to_recordset(?::jsonb) as r(event_id varchar, tenant_id varchar,
    event_status varchar, event_metadata jsonb, error_message varchar, requires_retry boolean,
    next_retry_at timestamptz, now timestamptz, actor varchar)
  where e.event_id = r.event_id and e.tenant_id = r.tenant_id`);

interface LockRow {
  event_id: string;
  tenant_id: string;
  event_type: string;
  event_status: EventStatus;
  event_metadata: Record<string, unknown>;
  process_count: number;
  max_retry_count: number;
  next_retry_at: string | Date | null;
}

/** Call inside a transaction: the locks last until it ends. Rows that do not exist are absent. */
export async function lockForOutcomes(
  db: SqlExecutor,
  keys: readonly EventKey[],
): Promise<LockedEvent[]> {
  const rows = await LOCK.run<LockRow>(db, [
    JSON.stringify(keys.map((key) => ({ event_id: key.eventId, tenant_id: key.tenantId }))),
  ]);
  return rows.map((row) => ({
    eventId: row.event_id,
    tenantId: row.tenant_id,
    eventType: row.event_type,
    eventStatus: row.event_status,
    eventMetadata: row.event_metadata,
    processCount: row.process_count,
    maxRetryCount: row.max_retry_count,
    nextRetryAt: row.next_retry_at === null ? null : toDate(row.next_retry_at),
  }));
}

export async function writeOutcomes(
  db: SqlExecutor,
  writes: readonly OutcomeWrite[],
  { now, actor }: { now: Date; actor: string },
): Promise<void> {
  if (writes.length === 0) return;
  await WRITE.run(db, [
    JSON.stringify(
      writes.map((write) => ({
        event_id: write.eventId,
        tenant_id: write.tenantId,
        event_status: write.eventStatus,
        event_metadata: write.eventMetadata,
        error_message: write.errorMessage,
        requires_retry: write.requiresRetry,
        next_retry_at: write.nextRetryAt?.toISOString() ?? null,
        now: now.toISOString(),
        actor,
      })),
    ),
  ]);
}
