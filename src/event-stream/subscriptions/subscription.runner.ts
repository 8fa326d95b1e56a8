import { setTimeout as sleep } from 'node:timers/promises';
import type { PinoLogger } from 'nestjs-pino';
import { isUnavailable } from '../../database/database-errors.js';
import type { SqlPool } from '../../database/sql.js';
import { EventView } from '../../event-store/http/event.view.js';
import { RepeatedFailureLog } from '../../logging/repeated-failure.log.js';
import { parkEvent } from '../store/parked-events.js';
import { readStream, type StreamFilter, type StreamPage } from '../store/read-stream.js';
import {
  acquireLease,
  advanceCheckpoint,
  heartbeat,
  noteError,
  releaseLease,
  type Lease,
} from '../store/subscription-checkpoints.js';
import type { StreamMetrics } from '../stream.metrics.js';
import { encodeCursor, type StreamPosition } from '../stream-position.js';
import type { StreamEvent, StreamSubscriber } from './stream-subscriber.js';

/** How a runner is set up: everything it needs, passed in (one runner per subscription). */
export interface RunnerSettings {
  readonly name: string;
  readonly filter: StreamFilter;
  readonly batchSize: number;
  readonly maxAttempts: number;
  readonly leaseMs: number;
  readonly pollIntervalMs: number;
  readonly instance: string;
}

/** The checkpoint write was refused: the lease was taken over, or the subscription reset. */
class FencedError extends Error {
  constructor() {
    super('the checkpoint moved under this owner: lease lost or subscription reset');
  }
}

type Stored = StreamPage['events'][number];

const MAX_BACKOFF_MS = 5_000;

/**
 * Runs one subscription on this instance while it holds the subscription's lease: reads the stream
 * from the checkpoint, hands each batch to the subscriber and moves the checkpoint in the same
 * transaction, fenced by the lease epoch. Without the lease it tries to take it now and then (a
 * crashed owner's lease expires). A batch that fails is retried with backoff, then its events one
 * by one; an event that still fails is parked for this subscription and the checkpoint moves past
 * it. Stops after the batch in hand at shutdown and gives the lease up.
 */
export class SubscriptionRunner {
  private lease: Lease | undefined;
  private position: StreamPosition | undefined;
  /** Renews the lease while it is held, also while a batch is being handled or retried. */
  private heartbeats: NodeJS.Timeout | undefined;
  private stopping = false;
  private running: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly failures: RepeatedFailureLog;

  constructor(
    private readonly settings: RunnerSettings,
    private readonly subscriber: StreamSubscriber,
    private readonly db: SqlPool,
    private readonly metrics: StreamMetrics,
    private readonly logger: PinoLogger,
  ) {
    this.failures = new RepeatedFailureLog(logger, `subscription ${settings.name}`);
  }

  get name(): string {
    return this.settings.name;
  }

  /** Whether this instance runs the subscription now (holds its lease). */
  get owner(): boolean {
    return this.lease !== undefined;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** New events may be in the stream: read now rather than at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running;
    clearInterval(this.heartbeats);
    if (this.lease) await releaseLease(this.db, this.lease).catch(() => undefined);
    this.lease = undefined;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        if (!(await this.holdLease())) {
          await this.idle(Math.min(5_000, this.settings.leaseMs / 3));
          continue;
        }
        const page = await readStream(
          this.db,
          this.position!,
          this.settings.filter,
          this.settings.batchSize,
        );
        if (page.events.length > 0) {
          await this.deliver(page.events, page.next);
        } else if (page.next.txId !== this.position!.txId || page.next.id !== this.position!.id) {
          // Nothing for this filter below the watermark: the checkpoint moves up to it, so the
          // range is not read again.
          await this.commit(page.next, 0);
        }
        this.failures.succeeded();
        if (page.caughtUp) await this.idle(this.settings.pollIntervalMs);
      } catch (error) {
        if (error instanceof FencedError) {
          this.dropLease('checkpoint fenced');
          continue;
        }
        this.failures.failed(error, { subscription: this.settings.name });
        await this.idle(1_000);
      }
    }
  }

  /** Holds the lease, taking it when free; false when another instance holds it. */
  private async holdLease(): Promise<boolean> {
    if (this.lease) return true;
    const acquired = await acquireLease(
      this.db,
      this.settings.name,
      this.settings.instance,
      this.settings.leaseMs,
    );
    if (!acquired) return false;
    this.lease = acquired.lease;
    this.position = acquired.subscription.position;
    this.startHeartbeats(acquired.lease);
    this.metrics.leaseChanged(this.settings.name, 'acquired');
    this.logger.info(
      {
        subscription: this.settings.name,
        epoch: acquired.lease.epoch,
        cursor: encodeCursor(this.position),
      },
      'subscription lease acquired: running it here',
    );
    return true;
  }

  /**
   * Renews the lease every third of its length, on a timer of its own: a batch whose handler is
   * slow or being retried must not let the lease lapse, or its checkpoint write would be fenced
   * and the batch delivered again forever.
   */
  private startHeartbeats(lease: Lease): void {
    clearInterval(this.heartbeats);
    let beating = false;
    this.heartbeats = setInterval(() => {
      if (beating || this.lease !== lease) return;
      beating = true;
      heartbeat(this.db, lease, this.settings.leaseMs)
        .then((held) => {
          if (!held && this.lease === lease) this.dropLease('lease expired or taken over');
        })
        .catch(() => undefined)
        .finally(() => (beating = false));
    }, this.settings.leaseMs / 3);
    this.heartbeats.unref();
  }

  private dropLease(why: string): void {
    if (!this.lease) return;
    clearInterval(this.heartbeats);
    this.metrics.leaseChanged(this.settings.name, 'lost');
    this.logger.warn({ subscription: this.settings.name, why }, 'subscription lease lost');
    this.lease = undefined;
    this.position = undefined;
  }

  /** Delivers a batch, retrying it, then its events one by one, parking what keeps failing. */
  private async deliver(events: readonly Stored[], next: StreamPosition): Promise<void> {
    if (await this.attempt(events, next)) return;
    if (events.length === 1) {
      await this.park(events[0], next);
      return;
    }
    for (const [index, event] of events.entries()) {
      if (this.stopping) return;
      const after = index === events.length - 1 ? next : event.position;
      if (!(await this.attempt([event], after))) await this.park(event, after);
    }
  }

  /** Up to maxAttempts tries with backoff; true once handled and checkpointed. */
  private async attempt(events: readonly Stored[], next: StreamPosition): Promise<boolean> {
    const batch = events.map(toStreamEvent);
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.db.transaction(async (tx) => {
          await this.subscriber.handle(batch, tx);
          if (!(await advanceCheckpoint(tx, this.lease!, this.position!, next, events.length))) {
            throw new FencedError();
          }
        });
        this.position = next;
        this.metrics.deliveredEvents(this.settings.name, events.length);
        return true;
      } catch (error) {
        if (error instanceof FencedError || isUnavailable(error)) throw error;
        this.metrics.handlerFailed(this.settings.name);
        const message = error instanceof Error ? error.message : String(error);
        this.logger.warn(
          {
            subscription: this.settings.name,
            attempt,
            events: events.length,
            firstEventId: events[0].event_id,
            err: error,
          },
          'subscription handler failed',
        );
        await noteError(this.db, this.lease!, message).catch(() => undefined);
        if (attempt >= this.settings.maxAttempts || this.stopping) return false;
        await sleep(Math.min(100 * 2 ** (attempt - 1), MAX_BACKOFF_MS));
      }
    }
  }

  /** Sets the event aside for this subscription and moves past it, in one transaction. */
  private async park(event: Stored, next: StreamPosition): Promise<void> {
    await this.db.transaction(async (tx) => {
      await parkEvent(tx, {
        subscription: this.settings.name,
        eventId: event.event_id,
        eventRowId: event.id,
        attempts: this.settings.maxAttempts,
        error: 'handler failed on every attempt; see the subscription log and last error',
      });
      if (!(await advanceCheckpoint(tx, this.lease!, this.position!, next, 0))) {
        throw new FencedError();
      }
    });
    this.position = next;
    this.logger.error(
      { subscription: this.settings.name, eventId: event.event_id, tenantId: event.tenant_id },
      'event parked for the subscription: it goes on without it',
    );
  }

  private async commit(next: StreamPosition, delivered: number): Promise<void> {
    if (!(await advanceCheckpoint(this.db, this.lease!, this.position!, next, delivered))) {
      throw new FencedError();
    }
    this.position = next;
  }

  /** Waits for a wake-up, at most `ms`. */
  private idle(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }
}

export function toStreamEvent(event: Stored): StreamEvent {
  return Object.assign(EventView.fromRow(event), { cursor: encodeCursor(event.position) });
}
