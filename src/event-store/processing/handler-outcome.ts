import { truncate } from '../../common/truncate.js';
import { EventStatus } from '../entities/event-status.js';
import type { FailureDescription } from './failure-description.js';
import type { RetryPolicy } from './retry-policy.js';

export type HandlerStatus = 'pending' | 'succeeded' | 'failed';

/** One processing handler's record, kept in event_metadata.handlers under the handler's name. */
export interface HandlerState {
  readonly status: HandlerStatus;
  readonly attempts: number;
  readonly lastRunAt?: string;
  readonly durationMs?: number;
  readonly error?: string;
}

export type HandlerStates = Readonly<Record<string, HandlerState>>;

export interface HandlerOutcome {
  readonly handler: string;
  readonly durationMs: number;
  /** Absent when the handler succeeded. */
  readonly error?: FailureDescription;
}

/** The processing columns of a row, as read under its row lock. */
export interface ProcessingState {
  readonly eventStatus: EventStatus;
  readonly eventMetadata: Record<string, unknown>;
  readonly processCount: number;
  readonly maxRetryCount: number;
  /** The retry already scheduled by an earlier outcome of this attempt, if any. */
  readonly nextRetryAt: Date | null;
}

export interface ProcessingUpdate {
  readonly eventStatus: EventStatus;
  readonly eventMetadata: Record<string, unknown>;
  readonly errorMessage: string | null;
  readonly requiresRetry: boolean;
  readonly nextRetryAt: Date | null;
}

export function pendingHandlers(names: readonly string[]): HandlerStates {
  return Object.fromEntries(names.map((name) => [name, { status: 'pending', attempts: 0 }]));
}

export function handlersOf(metadata: Record<string, unknown>): HandlerStates {
  const handlers = metadata.handlers;
  return typeof handlers === 'object' && handlers !== null ? (handlers as HandlerStates) : {};
}

/**
 * Folds one handler's outcome into the row. The status depends only on the set of handler states,
 * never on the order in which outcomes arrive: Failed while any handler failed, Processed once all
 * succeeded, otherwise unchanged. Undefined when nothing changes: a handler that already succeeded
 * for this event (a duplicate publish ran it again) keeps its success.
 */
export function applyOutcome(
  state: ProcessingState,
  outcome: HandlerOutcome,
  now: Date,
  policy: RetryPolicy,
): ProcessingUpdate | undefined {
  const previous = handlersOf(state.eventMetadata)[outcome.handler];
  if (previous?.status === 'succeeded') return undefined;
  const handlers: HandlerStates = {
    ...handlersOf(state.eventMetadata),
    [outcome.handler]: {
      status: outcome.error ? 'failed' : 'succeeded',
      attempts: (previous?.attempts ?? 0) + 1,
      lastRunAt: now.toISOString(),
      durationMs: outcome.durationMs,
      ...(outcome.error ? { error: describe(outcome.error) } : {}),
    },
  };
  const eventMetadata = { ...state.eventMetadata, handlers };
  const failed = Object.entries(handlers)
    .filter(([, handler]) => handler.status === 'failed')
    .sort(([a], [b]) => a.localeCompare(b));

  if (failed.length > 0) {
    const requiresRetry = policy.mayRetry(state.processCount, state.maxRetryCount);
    // Another handler of this attempt already failed and scheduled the retry: later outcomes of
    // the same attempt keep that time rather than draw a new jitter and push it back.
    const scheduled =
      state.eventStatus === EventStatus.Failed && state.nextRetryAt !== null
        ? state.nextRetryAt
        : undefined;
    return {
      eventStatus: EventStatus.Failed,
      eventMetadata,
      errorMessage: truncate(
        failed.map(([name, handler]) => `${name}: ${handler.error ?? 'failed'}`).join('\n---\n'),
        2000,
      ),
      requiresRetry,
      nextRetryAt: requiresRetry
        ? (scheduled ?? new Date(now.getTime() + policy.delayAfterAttemptMs(state.processCount)))
        : null,
    };
  }
  const allSucceeded = Object.values(handlers).every((handler) => handler.status === 'succeeded');
  return {
    eventStatus: allSucceeded ? EventStatus.Processed : state.eventStatus,
    eventMetadata,
    errorMessage: null,
    requiresRetry: false,
    nextRetryAt: null,
  };
}

function describe({ message, at }: FailureDescription): string {
  return truncate(at === undefined ? message : `${message}\n    at ${at}`, 1500);
}
