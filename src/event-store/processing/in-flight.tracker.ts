import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';

/**
 * Knows which handler runs are still going, so that shutdown waits for them before the database
 * closes (that happens later, in onApplicationShutdown): a deploy does not cut events in half.
 */
@Injectable()
export class InFlightTracker implements BeforeApplicationShutdown {
  private readonly running = new Set<Promise<unknown>>();
  private stopping = false;

  /** True once shutdown began: sweeps finish their current batch and claim no more. */
  get draining(): boolean {
    return this.stopping;
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const forget = () => this.running.delete(work);
    work.then(forget, forget);
    return work;
  }

  get size(): number {
    return this.running.size;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    // Work finishing may start more (a processor after its event's insert): drain until empty.
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
