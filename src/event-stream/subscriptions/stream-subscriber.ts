import type { SqlExecutor } from '../../database/sql.js';
import type { EventView } from '../../event-store/http/event.view.js';

/** An event as a subscriber receives it: as GET /api/events/:eventId returns it, and its cursor. */
export type StreamEvent = EventView & {
  /** Its position in the stream, as an opaque cursor (what `from` and resets take). */
  readonly cursor: string;
};

/**
 * A subscriber to the event stream: a Nest provider decorated with @StreamSubscription.
 *
 * `handle` receives a batch in stream order. The subscription's checkpoint moves past the batch in
 * `tx`, after `handle` resolves: delivery is at least once (a crash, or a lease taken over, before
 * the commit delivers the batch again), and writes made through `tx` commit together with the
 * checkpoint, which makes them exactly once. Keep the transaction short: while it is open its
 * transaction id holds the stream's watermark, and so every reader, back. Throwing fails the batch:
 * it is retried with backoff, then its events one by one, and an event that keeps failing is
 * parked for this subscription (listed and replayed over HTTP) while the subscription goes on.
 */
export interface StreamSubscriber {
  handle(events: readonly StreamEvent[], tx: SqlExecutor): Promise<void>;
}
