import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import type { PinoLogger } from 'nestjs-pino';
import type { EventMetrics } from '../../metrics/event.metrics.js';
import { RepeatedFailureLog } from '../../logging/repeated-failure.log.js';
import type { InFlightTracker } from '../processing/in-flight.tracker.js';

/** What a sweep run reports: counts of what it touched, logged and returned. */
export type SweepReport = Readonly<Record<string, number | boolean>>;

/**
 * A scheduled maintenance job (@nestjs/schedule interval). One run at a time per process: a tick
 * that finds the previous run still going is skipped, not queued. Runs are tracked with the
 * handler runs, so shutdown waits for the current one; `proceed` turns false as shutdown begins,
 * and each sweep checks it between batches, so it finishes the batch in hand and stops.
 */
export abstract class Sweeper<R extends SweepReport>
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private current: Promise<R | undefined> | undefined;
  private readonly failures: RepeatedFailureLog;

  protected constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly scheduler: SchedulerRegistry,
    private readonly tracker: InFlightTracker,
    private readonly metrics: EventMetrics,
    protected readonly logger: PinoLogger,
  ) {
    this.failures = new RepeatedFailureLog(logger, `${name} sweep`);
  }

  /** One pass; `proceed()` false means stop after the current batch. */
  protected abstract sweep(proceed: () => boolean): Promise<R>;

  onApplicationBootstrap(): void {
    this.scheduler.addInterval(
      this.name,
      setInterval(() => void this.run(), this.intervalMs),
    );
  }

  beforeApplicationShutdown(): void {
    if (this.scheduler.doesExist('interval', this.name)) this.scheduler.deleteInterval(this.name);
  }

  /**
   * Runs the sweep now unless a run is in progress here or shutdown began (then undefined).
   * Never rejects: a failed run is logged with its cause and the next tick tries again.
   */
  run(): Promise<R | undefined> {
    if (this.current || this.tracker.draining) return Promise.resolve(undefined);
    const started = performance.now();
    const run = this.sweep(() => !this.tracker.draining).then(
      (report) => {
        const durationMs = elapsed(started);
        this.failures.succeeded();
        this.metrics.sweepRan(
          this.name,
          report.skipped === true ? 'skipped' : 'ok',
          durationMs,
          report,
        );
        this.logger.info(
          { sweep: this.name, ...report, durationMs },
          `${this.name} sweep finished`,
        );
        return report;
      },
      (error: unknown) => {
        const durationMs = elapsed(started);
        this.metrics.sweepRan(this.name, 'failed', durationMs);
        this.failures.failed(error, { sweep: this.name, durationMs });
        return undefined;
      },
    );
    this.current = this.tracker.track(run).finally(() => (this.current = undefined));
    return this.current;
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
