import { Inject, Injectable, Optional } from '@nestjs/common';

export const RANDOM = Symbol('RANDOM');
const MINUTE_MS = 60_000;
/** ±10%: enough that a burst of failures does not come back in lockstep. */
const JITTER = 0.1;

/** Exponential backoff of SPEC §4.5: after the n-th failed attempt, 2^n minutes ± jitter. */
@Injectable()
export class RetryPolicy {
  constructor(@Optional() @Inject(RANDOM) private readonly random: () => number = Math.random) {}

  delayAfterAttemptMs(attempt: number): number {
    const base = 2 ** attempt * MINUTE_MS;
    return Math.round(base * (1 + JITTER * (2 * this.random() - 1)));
  }

  /** Retries made so far is attempts minus one; the event is dead once they reach the maximum. */
  mayRetry(attempts: number, maxRetryCount: number): boolean {
    return attempts - 1 < maxRetryCount;
  }
}
