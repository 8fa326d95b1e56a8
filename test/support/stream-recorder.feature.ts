import { Injectable, Module } from '@nestjs/common';
import type { SqlExecutor } from '../../src/database/sql.js';
import type {
  StreamEvent,
  StreamSubscriber,
} from '../../src/event-stream/subscriptions/stream-subscriber.js';
import { StreamSubscription } from '../../src/event-stream/subscriptions/stream-subscription.decorator.js';

/**
 * A subscription as a Nest module would declare one, for the tests: it records what it receives,
 * in memory and (through the transaction it is handed, exactly once) in a table the test creates.
 */
@StreamSubscription({ name: 'recorder', eventTypes: ['Gap'], from: 'beginning', batchSize: 50 })
@Injectable()
export class RecordingSubscriber implements StreamSubscriber {
  static received: StreamEvent[] = [];
  /** Event ids whose delivery throws, to make a poison event. */
  static failOn = new Set<string>();
  /** Also record into test_stream_received through the handed transaction. */
  static recordInTable = false;
  /** A pause in every batch, to be killed mid-batch. */
  static delayMs = 0;

  async handle(events: readonly StreamEvent[], tx: SqlExecutor): Promise<void> {
    for (const event of events) {
      if (RecordingSubscriber.failOn.has(event.eventId)) {
        throw new Error(`recorder refuses ${event.eventId}`);
      }
    }
    if (RecordingSubscriber.delayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, RecordingSubscriber.delayMs));
    }
    if (RecordingSubscriber.recordInTable) {
      await tx.query(
        `insert into test_stream_received (event_id, cursor, deliveries)
         select event_id, cursor, 1 from unnest($1::text[], $2::text[]) as r(event_id, cursor)
         on conflict (event_id) do update set deliveries = test_stream_received.deliveries + 1`,
        [events.map((e) => e.eventId), events.map((e) => e.cursor)],
      );
    }
    RecordingSubscriber.received.push(...events);
  }
}

@Module({ providers: [RecordingSubscriber] })
export class RecorderModule {}
