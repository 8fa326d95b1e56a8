/** Processing status of a stored event (SPEC §4). */
export const EventStatus = {
  /** Stored; processing not yet complete. */
  Published: 'Published',
  /** Every processing handler succeeded. */
  Processed: 'Processed',
  /** A handler failed; requires_retry says whether the retry sweep will try again. */
  Failed: 'Failed',
  /** Claimed by a retry sweep, in progress. */
  Retry: 'Retry',
} as const;

export type EventStatus = (typeof EventStatus)[keyof typeof EventStatus];
