import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';

/**
 * Knows which handler runs are still going, so that shutdown waits for them before the database
 * closes (that happens later, in onApplicationShutdown): a deploy does not cut events in half.
 */
@Injectable()
export class InFlightTracker implements BeforeApplicationShutdown {
  private readonly running = new Set<Promise<unknown>>();
  private readonly belowWaiters: { limit: number; wake: () => void }[] = [];
  private stopping = false;

  /** True once shutdown began: sweeps finish their current batch and claim no more. */
  get draining(): boolean {
    return this.stopping;
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const forget = () => {
      this.running.delete(work);
      this.wakeWaiters();
    };
    work.then(forget, forget);
    return work;
  }

  get size(): number {
    return this.running.size;
  }

  /** Resolves once fewer than `limit` runs are in flight. */
  whenBelow(limit: number): Promise<void> {
    if (this.running.size < limit) return Promise.resolve();
    return new Promise((wake) => this.belowWaiters.push({ limit, wake }));
  }

  private wakeWaiters(): void {
    for (let i = this.belowWaiters.length - 1; i >= 0; i -= 1) {
      if (this.running.size < this.belowWaiters[i].limit) this.belowWaiters.splice(i, 1)[0].wake();
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    // Work finishing may start more (a processor after its event's insert): drain until empty.
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
