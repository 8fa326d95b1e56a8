import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock.js';
import { AppConfig } from '../../config/app-config.js';
import { EventStatus } from '../entities/event-status.js';
import type { EventRow } from '../event-row.js';
import { EventStore, type PendingEvent } from '../event.store.js';
import {
  applyOutcome,
  pendingHandlers,
  type HandlerOutcome,
  type ProcessingState,
  type ProcessingUpdate,
} from '../processing/handler-outcome.js';
import { RetryPolicy } from '../processing/retry-policy.js';
import { GroupCommitQueue } from './group-commit.queue.js';

/** Rows per INSERT or UPDATE statement: large enough to amortise a round trip and a commit. */
const MAX_BATCH = 500;
/** Statements in flight at once, each on its own pooled connection. */
const MAX_CONCURRENT = 2;
/** Events held in memory before appenders wait for room. */
const MAX_QUEUED = 20_000;

/** Whether an append stored a new row; the row itself when the appender asked for it. */
export interface AppendResult {
  readonly created: boolean;
  readonly row?: EventRow;
}

/** An event whose insert has not been handed to the insert queue yet. */
interface WaitingInsert {
  readonly pending: PendingEvent;
  readonly since: number;
  /** Handlers that have not reported yet. */
  readonly awaiting: Set<string>;
  state: ProcessingState;
  processed?: ProcessingUpdate;
  readonly committed: Promise<AppendResult>;
  readonly settle: { resolve: (result: AppendResult) => void; reject: (error: unknown) => void };
}

/**
 * The write path of ff_events, with group commit: appends and handler outcomes are queued and
 * written many per statement (GroupCommitQueue), each caller's promise settling once its row is
 * committed.
 *
 * An event with processing handlers is held back for up to EVENTS_WRITE_COALESCE_MS, or until all
 * its handlers have reported, so that it is usually inserted once with its final status instead
 * of inserted and then updated: an update rewrites every index entry of the row (its status is
 * indexed), so this halves the work of the common case. An outcome that arrives after the insert
 * was sent goes through the batched outcome path instead.
 */
@Injectable()
export class EventWriter {
  private readonly waiting = new Map<string, WaitingInsert>();
  private readonly inserting = new Map<string, Promise<AppendResult>>();
  private readonly inserts: GroupCommitQueue<PendingEvent, AppendResult>;
  private readonly outcomes: GroupCommitQueue<
    { event: PendingEvent; outcome: HandlerOutcome },
    ProcessingUpdate | undefined
  >;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    store: EventStore,
    private readonly clock: Clock,
    private readonly retryPolicy: RetryPolicy,
    private readonly config: AppConfig,
  ) {
    const options = { maxBatch: MAX_BATCH, maxConcurrent: MAX_CONCURRENT, maxQueued: MAX_QUEUED };
    this.inserts = new GroupCommitQueue({
      ...options,
      // A full insert queue means the database is slower than the publishers: the pipeline
      // spills to the outage spool instead of holding ever more events in memory.
      whenFull: 'reject',
      flush: async (events) => {
        const created = await store.append(events);
        return events.map((event): AppendResult => {
          const id = event.envelope.eventId;
          return { created: created.has(id), row: created.get(id) };
        });
      },
    });
    this.outcomes = new GroupCommitQueue({
      ...options,
      flush: (items) => store.recordOutcomes(items),
    });
  }

  /**
   * Stores the event unless an event with its id is stored already; resolves once committed,
   * with whether it was new. `coalesce: false` sends it at once (its handlers run only after).
   */
  append(pending: PendingEvent, { coalesce = true } = {}): Promise<AppendResult> {
    const id = pending.envelope.eventId;
    const earlier = this.waiting.get(id)?.committed ?? this.inserting.get(id);
    if (earlier) return earlier.then(() => ({ created: false }));
    if (!coalesce || pending.handlers.length === 0 || this.config.events.writeCoalesceMs === 0) {
      return this.send(pending);
    }
    let settle!: WaitingInsert['settle'];
    const committed = new Promise<AppendResult>(
      (resolve, reject) => (settle = { resolve, reject }),
    );
    this.waiting.set(id, {
      pending,
      since: performance.now(),
      awaiting: new Set(pending.handlers),
      state: {
        eventStatus: EventStatus.Published,
        eventMetadata: {
          ...pending.envelope.eventMetadata,
          handlers: pendingHandlers(pending.handlers),
        },
        processCount: 1,
        maxRetryCount: this.config.events.maxRetryCount,
        nextRetryAt: null,
      },
      committed,
      settle,
    });
    if (this.waiting.size >= MAX_QUEUED) this.sendOldest();
    this.armTimer();
    return committed;
  }

  /**
   * Records a handler's outcome: folded into the waiting insert when there is one, otherwise
   * written by the batched outcome path. Resolves once it is committed.
   */
  async recordOutcome(
    pending: PendingEvent,
    outcome: HandlerOutcome,
  ): Promise<ProcessingUpdate | undefined> {
    const id = pending.envelope.eventId;
    const waiting = this.waiting.get(id);
    if (waiting) {
      const update = applyOutcome(waiting.state, outcome, this.clock.now(), this.retryPolicy);
      if (update) {
        waiting.state = { ...waiting.state, ...update };
        waiting.processed = update;
      }
      waiting.awaiting.delete(outcome.handler);
      if (waiting.awaiting.size === 0) this.release(waiting);
      await waiting.committed;
      return update;
    }
    // Its insert is on the way: the outcome must find the row.
    await this.inserting.get(id)?.catch(() => undefined);
    return this.outcomes.submit({ event: pending, outcome });
  }

  private send(pending: PendingEvent): Promise<AppendResult> {
    const id = pending.envelope.eventId;
    const committed = this.inserts.submit(pending);
    this.inserting.set(id, committed);
    const forget = () => this.inserting.delete(id);
    committed.then(forget, forget);
    return committed;
  }

  private release(waiting: WaitingInsert): void {
    this.waiting.delete(waiting.pending.envelope.eventId);
    const pending = waiting.processed
      ? { ...waiting.pending, processed: waiting.processed }
      : waiting.pending;
    this.send(pending).then(waiting.settle.resolve, waiting.settle.reject);
  }

  private sendOldest(): void {
    const oldest = this.waiting.values().next();
    if (!oldest.done) this.release(oldest.value);
  }

  /** Sends every insert that has waited its time, then sleeps until the next one has. */
  private armTimer(): void {
    if (this.timer) return;
    const first = this.waiting.values().next();
    if (first.done) return;
    const coalesceMs = this.config.events.writeCoalesceMs;
    const wait = Math.max(0, first.value.since + coalesceMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const cutoff = performance.now() - coalesceMs;
      for (const waiting of [...this.waiting.values()]) {
        if (waiting.since > cutoff) break;
        this.release(waiting);
      }
      this.armTimer();
    }, wait);
  }
}
