import { isConnectionError, isTransientError } from '../../database/database-errors.js';

export interface GroupCommitOptions<T, R> {
  /** Writes a batch in one round trip and one transaction; one result per item, in order. */
  readonly flush: (items: T[]) => Promise<R[]>;
  /** Items per statement. */
  readonly maxBatch: number;
  /**
   * And at most this much of `weight` per statement (a batch always takes at least one item):
   * what a flush holds in memory is bounded by size, not only by count.
   */
  readonly maxBatchWeight?: number;
  readonly weight?: (item: T) => number;
  /** Batches written at the same time, each on its own connection. */
  readonly maxConcurrent: number;
  /** Items held in memory; past this, submit waits for room (back-pressure)... */
  readonly maxQueued: number;
  /** ...or, with 'reject', fails at once with QueueFullError so the caller can spill elsewhere. */
  readonly whenFull?: 'wait' | 'reject';
}

/** The queue is full and its caller chose to be told rather than wait. */
export class QueueFullError extends Error {
  readonly unavailable = true;

  constructor(limit: number) {
    super(`the write queue is full (${limit} items)`);
    this.name = 'QueueFullError';
  }
}

interface Entry<T, R> {
  readonly item: T;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

const TRANSIENT_ATTEMPTS = 3;

/**
 * Group commit: callers submit one item each and get a promise that settles once their item is
 * committed; the queue writes many items per statement. Batching is natural rather than timed: a
 * flush starts as soon as a connection slot is free (after the current tick, so items submitted
 * together travel together), and while the slots are busy the queue fills, so the batches grow with
 * the load and a lone item waits for nothing.
 *
 * A batch that fails for a reason other than the connection is split in halves and retried, down
 * to single items, so that one bad item fails alone and the others commit. A connection failure
 * rejects the whole batch at once: every item would fail the same way.
 */
export class GroupCommitQueue<T, R> {
  private readonly queue: Entry<T, R>[] = [];
  private readonly waitingForRoom: (() => void)[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly options: GroupCommitOptions<T, R>) {}

  async submit(item: T): Promise<R> {
    while (this.queue.length >= this.options.maxQueued) {
      if (this.options.whenFull === 'reject') throw new QueueFullError(this.options.maxQueued);
      await new Promise<void>((resolve) => this.waitingForRoom.push(resolve));
    }
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxConcurrent || this.queue.length === 0) {
      return;
    }
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.options.maxConcurrent && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchLength());
      for (const wake of this.waitingForRoom.splice(0, batch.length)) wake();
      this.inFlight += 1;
      void this.write(batch).finally(() => {
        this.inFlight -= 1;
        this.schedule();
      });
    }
  }

  /** How many queued items the next batch takes: up to maxBatch, and up to maxBatchWeight. */
  private batchLength(): number {
    const { maxBatch, maxBatchWeight, weight } = this.options;
    const limit = Math.min(maxBatch, this.queue.length);
    if (maxBatchWeight === undefined || weight === undefined) return limit;
    let total = 0;
    for (let index = 0; index < limit; index += 1) {
      total += weight(this.queue[index].item);
      if (total > maxBatchWeight) return Math.max(1, index);
    }
    return limit;
  }

  private async write(batch: Entry<T, R>[], attempt = 1): Promise<void> {
    try {
      const results = await this.options.flush(batch.map((entry) => entry.item));
      batch.forEach((entry, index) => entry.resolve(results[index]));
    } catch (error) {
      if (isTransientError(error) && attempt < TRANSIENT_ATTEMPTS) {
        await this.write(batch, attempt + 1);
      } else if (batch.length > 1 && !isConnectionError(error)) {
        const middle = Math.ceil(batch.length / 2);
        await this.write(batch.slice(0, middle));
        await this.write(batch.slice(middle));
      } else {
        for (const entry of batch) entry.reject(error);
      }
    }
  }
}
