import type { PinoLogger } from 'nestjs-pino';

/** How often a failure that keeps recurring is reported again, with its count. */
const SUMMARY_INTERVAL_MS = 60_000;

/**
 * Logs a failure that repeats (a sweep every second while the database is down) once with its
 * stack, then once a minute as one line with how many times it recurred, and once more when it
 * stops: a dead database is one error in the log, not a stack a second.
 */
export class RepeatedFailureLog {
  private current:
    { message: string; count: number; since: number; lastSummary: number } | undefined;

  constructor(
    private readonly logger: PinoLogger,
    private readonly what: string,
  ) {}

  failed(error: unknown, fields: Record<string, unknown> = {}): void {
    const message = error instanceof Error ? error.message : String(error);
    const now = Date.now();
    if (this.current?.message !== message) {
      this.current = { message, count: 1, since: now, lastSummary: now };
      this.logger.error({ ...fields, err: error }, `${this.what} failed`);
      return;
    }
    this.current.count += 1;
    if (now - this.current.lastSummary >= SUMMARY_INTERVAL_MS) {
      this.current.lastSummary = now;
      this.logger.error(
        {
          ...fields,
          error: message,
          repeated: this.current.count,
          sinceMs: now - this.current.since,
        },
        `${this.what} failed again (${this.current.count} times in a row)`,
      );
    }
  }

  succeeded(): void {
    if (this.current === undefined) return;
    if (this.current.count > 1) {
      this.logger.info(
        { failures: this.current.count, durationMs: Date.now() - this.current.since },
        `${this.what} works again after ${this.current.count} failures`,
      );
    }
    this.current = undefined;
  }
}
