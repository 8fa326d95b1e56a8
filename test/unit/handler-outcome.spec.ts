import { EventStatus } from '../../src/event-store/entities/event-status.js';
import {
  applyOutcome,
  pendingHandlers,
  type ProcessingState,
} from '../../src/event-store/processing/handler-outcome.js';
import { RetryPolicy } from '../../src/event-store/processing/retry-policy.js';

const now = new Date('2026-01-01T00:00:00Z');
const MINUTE = 60_000;

function state(processCount: number, handlers = pendingHandlers(['a', 'b'])): ProcessingState {
  return {
    eventStatus: EventStatus.Published,
    eventMetadata: { handlers },
    processCount,
    maxRetryCount: 3,
    nextRetryAt: null,
  };
}

describe('RetryPolicy', () => {
  it.each([
    [1, 2],
    [2, 4],
    [3, 8],
  ])('schedules the try after failed attempt %i about %i minutes later, within ±10%', (n, m) => {
    expect(new RetryPolicy(() => 0).delayAfterAttemptMs(n)).toBe(m * MINUTE * 0.9);
    expect(new RetryPolicy(() => 0.5).delayAfterAttemptMs(n)).toBe(m * MINUTE);
    expect(new RetryPolicy(() => 1).delayAfterAttemptMs(n)).toBe(m * MINUTE * 1.1);
  });

  it('allows max_retry_count retries after the first attempt, then no more', () => {
    const policy = new RetryPolicy();
    expect([1, 2, 3, 4].map((attempts) => policy.mayRetry(attempts, 3))).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});

describe('applyOutcome', () => {
  const policy = new RetryPolicy(() => 0.5);

  it('keeps the retry time an earlier failure of the same attempt scheduled', () => {
    const failed = applyOutcome(
      state(1),
      { handler: 'a', durationMs: 1, error: { message: 'boom' } },
      now,
      new RetryPolicy(() => 0),
    )!;
    const later = new Date(now.getTime() + 5_000);
    const next = applyOutcome(
      {
        ...state(1),
        eventStatus: failed.eventStatus,
        eventMetadata: failed.eventMetadata,
        nextRetryAt: failed.nextRetryAt,
      },
      { handler: 'b', durationMs: 1 },
      later,
      new RetryPolicy(() => 1),
    )!;
    expect(next.eventStatus).toBe(EventStatus.Failed);
    expect(next.nextRetryAt).toEqual(failed.nextRetryAt);
  });

  it('schedules afresh when a retry attempt (status Retry) fails', () => {
    const retrying = {
      ...state(2, { a: { status: 'failed' as const, attempts: 1 } }),
      eventStatus: EventStatus.Retry,
      nextRetryAt: new Date(now.getTime() - MINUTE),
    };
    const update = applyOutcome(
      retrying,
      { handler: 'a', durationMs: 1, error: { message: 'again' } },
      now,
      policy,
    )!;
    expect(update.nextRetryAt).toEqual(new Date(now.getTime() + 4 * MINUTE));
  });

  it('keeps the status while other handlers are pending, and is Processed once all succeeded', () => {
    const first = applyOutcome(state(1), { handler: 'a', durationMs: 1 }, now, policy)!;
    expect(first.eventStatus).toBe(EventStatus.Published);
    const second = applyOutcome(
      { ...state(1), eventMetadata: first.eventMetadata },
      { handler: 'b', durationMs: 1 },
      now,
      policy,
    )!;
    expect(second).toMatchObject({
      eventStatus: EventStatus.Processed,
      errorMessage: null,
      requiresRetry: false,
    });
  });

  it('marks the event Failed with the handler and cause, due 2^n minutes later', () => {
    const update = applyOutcome(
      state(2),
      { handler: 'b', durationMs: 1, error: { message: 'Error: boom', at: 'x (src/x.ts:1:2)' } },
      now,
      policy,
    )!;
    expect(update).toMatchObject({
      eventStatus: EventStatus.Failed,
      errorMessage: 'b: Error: boom\n    at x (src/x.ts:1:2)',
      requiresRetry: true,
      nextRetryAt: new Date(now.getTime() + 4 * MINUTE),
    });
  });

  it('leaves the event dead (no retry) once the retries are spent', () => {
    const update = applyOutcome(
      state(4),
      { handler: 'a', durationMs: 1, error: { message: 'still broken' } },
      now,
      policy,
    )!;
    expect(update).toMatchObject({
      eventStatus: EventStatus.Failed,
      requiresRetry: false,
      nextRetryAt: null,
    });
  });

  it('ignores a repeat of a handler that already succeeded', () => {
    const done = state(1, {
      a: { status: 'succeeded', attempts: 1 },
      b: { status: 'pending', attempts: 0 },
    });
    expect(
      applyOutcome(done, { handler: 'a', durationMs: 1, error: { message: 'x' } }, now, policy),
    ).toBeUndefined();
  });

  it('truncates a long error to the column', () => {
    const update = applyOutcome(
      state(1),
      { handler: 'a', durationMs: 1, error: { message: 'x'.repeat(5000) } },
      now,
      policy,
    )!;
    expect(update.errorMessage!.length).toBeLessThanOrEqual(2000);
  });
});
