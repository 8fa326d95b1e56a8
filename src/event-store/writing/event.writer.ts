import { Injectable } from '@nestjs/common';
import { SqlPool } from '../../database/sql.js';
import { Clock } from '../../common/clock.js';
import { INSTANCE_ID, PROCESSOR_VERSION } from '../../common/instance-id.js';
import { AppConfig } from '../../config/app-config.js';
import { EventMetrics } from '../../metrics/event.metrics.js';
import { EventStatus } from '../entities/event-status.js';
import type { EventRow } from '../event-row.js';
import {
  applyOutcome,
  handlersOf,
  type HandlerOutcome,
  type ProcessingState,
  type ProcessingUpdate,
} from '../processing/handler-outcome.js';
import { RetryPolicy } from '../processing/retry-policy.js';
import { appendEvents, type NewEvent } from '../store/append-events.js';
import { findOwners } from '../store/find-owners.js';
import {
  lockForOutcomes,
  writeOutcomes,
  type EventKey,
  type LockedEvent,
  type OutcomeWrite,
} from '../store/record-outcomes.js';
import { GroupCommitQueue } from './group-commit.queue.js';

/**
 * Rows per INSERT or UPDATE statement: large enough to amortise a round trip and a commit, and to
 * write a whole POST /api/events/batch (up to 1000 events) in one statement.
 */
const MAX_BATCH = 1000;
/**
 * And at most this much event JSON per statement: a flush holds its rows several times over
 * (objects, the JSON parameter, the wire buffer), so the size of a batch is bounded too, not only
 * its count (1000 events of 1 MB would not fit the heap the service ships with).
 */
const MAX_BATCH_JSON_CHARS = 4 * 1024 * 1024;
/** Statements in flight at once, each on its own pooled connection. */
const MAX_CONCURRENT = 2;
/** Events held in memory before appenders are refused (they spill to the outage spool). */
const MAX_QUEUED = 20_000;

/**
 * What an append found: `created` (this append stored it), `duplicate` (the event's tenant had
 * stored this id already: nothing written) or `foreign` (the id is another tenant's: nothing
 * written, and the event must not be processed).
 */
export type AppendStatus = 'created' | 'duplicate' | 'foreign';

export interface AppendResult {
  readonly status: AppendStatus;
  /** The new row, when the appender asked for it and it was created. */
  readonly row?: EventRow;
}

interface AppendItem {
  readonly event: NewEvent;
  readonly returnRow: boolean;
}

/** A locked row while a batch of outcomes is folded into it. */
interface TrackedRow {
  readonly before: LockedEvent;
  state: ProcessingState;
  last?: ProcessingUpdate;
}

/** One handler outcome to record on its event's row. */
export interface OutcomeItem {
  readonly key: EventKey;
  readonly outcome: HandlerOutcome;
}

/** The row the outcome was for is gone (purged, or never stored for this tenant). */
export const ROW_MISSING = 'missing';

export type RecordedOutcome = ProcessingUpdate | undefined | typeof ROW_MISSING;

/**
 * The write path of ff_events, with group commit: appends and handler outcomes are queued and
 * written many per statement (GroupCommitQueue), each caller's promise settling once its row is
 * committed. An event is always inserted before any of its handlers runs, so that a publish whose
 * id another tenant holds is refused before anything acts on it; outcomes then update the row,
 * always within the event's tenant. Metrics are counted here, after the statement committed.
 */
@Injectable()
export class EventWriter {
  private readonly appends: GroupCommitQueue<AppendItem, AppendResult>;
  private readonly outcomes: GroupCommitQueue<OutcomeItem, RecordedOutcome>;

  constructor(
    private readonly db: SqlPool,
    private readonly clock: Clock,
    private readonly retryPolicy: RetryPolicy,
    private readonly config: AppConfig,
    private readonly metrics: EventMetrics,
  ) {
    const options = { maxBatch: MAX_BATCH, maxConcurrent: MAX_CONCURRENT, maxQueued: MAX_QUEUED };
    this.appends = new GroupCommitQueue({
      ...options,
      maxBatchWeight: MAX_BATCH_JSON_CHARS,
      weight: (item) => jsonChars(item.event.envelope.eventData),
      // A full queue means the database is slower than the publishers: the pipeline spills to
      // the outage spool instead of holding ever more events in memory.
      whenFull: 'reject',
      flush: (items) => this.flushAppends(items),
    });
    this.outcomes = new GroupCommitQueue({
      ...options,
      flush: (items) => this.flushOutcomes(items),
    });
  }

  /** Stores the event unless its id is stored already; resolves once committed. */
  append(event: NewEvent, { returnRow = false } = {}): Promise<AppendResult> {
    return this.appends.submit({ event, returnRow });
  }

  /**
   * Records a handler's outcome on its event's row (found by id within the event's tenant);
   * resolves once committed, with the change made (undefined: nothing changed).
   */
  recordOutcome(key: EventKey, outcome: HandlerOutcome): Promise<RecordedOutcome> {
    return this.outcomes.submit({ key, outcome });
  }

  private async flushAppends(items: AppendItem[]): Promise<AppendResult[]> {
    // One row per id in the statement; repeats are judged against the first one's result.
    const first = new Map<string, AppendItem>();
    for (const item of items) {
      if (!first.has(item.event.envelope.eventId)) first.set(item.event.envelope.eventId, item);
    }
    const now = this.clock.now();
    const appended = await appendEvents(
      this.db,
      [...first.values()].map((item) => item.event),
      {
        returnRows: items.some((item) => item.returnRow),
        now,
        actor: INSTANCE_ID.slice(0, 100),
        maxRetryCount: this.config.events.maxRetryCount,
      },
    );
    const byId = new Map(appended.map((result) => [result.eventId, result]));
    const unknown = appended.filter((r) => !r.created && r.owner === null).map((r) => r.eventId);
    const owners = await findOwners(this.db, unknown);

    return items.map((item): AppendResult => {
      const { envelope, handlers } = item.event;
      const result = byId.get(envelope.eventId)!;
      if (result.created && first.get(envelope.eventId) === item) {
        this.metrics.eventStored(envelope.eventType);
        if (handlers.length === 0) this.metrics.eventProcessed(envelope.eventType);
        return { status: 'created', row: item.returnRow ? result.row : undefined };
      }
      const owner = result.owner ?? owners.get(envelope.eventId);
      if (owner === envelope.tenantId) return { status: 'duplicate' };
      this.metrics.eventRefused(envelope.eventType, 'foreign_event_id');
      return { status: 'foreign' };
    });
  }

  /**
   * Records a batch of outcomes in one transaction: one statement locks every row concerned, the
   * outcomes are folded in (in order, several per event if need be), one statement writes the
   * changed rows back. The row locks serialise outcomes of the same event across batches and
   * instances, so none is lost.
   */
  private async flushOutcomes(items: OutcomeItem[]): Promise<RecordedOutcome[]> {
    const now = this.clock.now();
    const { results, writes } = await this.db.transaction(async (tx) => {
      const locked = await lockForOutcomes(tx, uniqueKeys(items));
      const rows = new Map(
        locked.map((row): [string, TrackedRow] => [keyOf(row), { before: row, state: row }]),
      );
      const folded = items.map(({ key, outcome }): RecordedOutcome => {
        const row = rows.get(keyOf(key));
        if (!row) return ROW_MISSING;
        const update = applyOutcome(row.state, outcome, now, this.retryPolicy);
        if (update) {
          row.state = { ...row.state, ...update };
          row.last = update;
        }
        return update;
      });
      const changed = [...rows.values()].flatMap(({ before, last }) =>
        last
          ? [
              {
                before,
                write: {
                  eventId: before.eventId,
                  tenantId: before.tenantId,
                  ...last,
                  eventMetadata: withProcessingInfo(last.eventMetadata, now),
                },
              },
            ]
          : [],
      );
      await writeOutcomes(
        tx,
        changed.map(({ write }) => write),
        { now, actor: INSTANCE_ID.slice(0, 100) },
      );
      return { results: folded, writes: changed };
    });
    for (const { before, write } of writes) this.countTransition(before, write);
    return results;
  }

  /**
   * Counts a status change once: entering Processed; entering Failed (once per attempt, however
   * many of its handlers fail), and dead when no retry is left at that moment.
   */
  private countTransition(from: LockedEvent, to: OutcomeWrite): void {
    if (to.eventStatus === from.eventStatus) return;
    if (to.eventStatus === EventStatus.Processed) this.metrics.eventProcessed(from.eventType);
    if (to.eventStatus === EventStatus.Failed) {
      this.metrics.eventFailed(from.eventType);
      if (!to.requiresRetry) this.metrics.eventDead(from.eventType);
    }
  }
}

function keyOf(key: EventKey): string {
  return JSON.stringify([key.tenantId, key.eventId]);
}

function uniqueKeys(items: readonly OutcomeItem[]): EventKey[] {
  return [...new Map(items.map(({ key }) => [keyOf(key), key])).values()];
}

function withProcessingInfo(metadata: Record<string, unknown>, now: Date) {
  return {
    ...metadata,
    processingInfo: {
      processedAt: now.toISOString(),
      processedBy: INSTANCE_ID,
      processorVersion: PROCESSOR_VERSION,
      // Handlers run concurrently, so an event's processing time is its longest handler run.
      durationMs: Math.max(
        0,
        ...Object.values(handlersOf(metadata)).map((handler) => handler.durationMs ?? 0),
      ),
    },
  };
}

/** Characters of an event's data as JSON, remembered per object (an append weighs it once). */
const WEIGHTS = new WeakMap<object, number>();
function jsonChars(data: Record<string, unknown>): number {
  let chars = WEIGHTS.get(data);
  if (chars === undefined) {
    chars = JSON.stringify(data).length;
    WEIGHTS.set(data, chars);
  }
  return chars;
}
