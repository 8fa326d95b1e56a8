import { Injectable } from '@nestjs/common';
import type { SqlExecutor } from '../../src/database/sql.js';
import { StreamSubscription } from '../../src/event-stream/subscriptions/stream-subscription.decorator.js';
import type {
  StreamEvent,
  StreamSubscriber,
} from '../../src/event-stream/subscriptions/stream-subscriber.js';

/**
 * An in-process subscription (the README's "In a Nest module"): a read model kept in the same
 * database, written in the transaction that moves the checkpoint, so exactly once. Add it to a
 * module's providers; the `totals` table is the module's own.
 */
@StreamSubscription({ name: 'invoice-totals', eventTypes: ['InvoicePaid'], from: 'beginning' })
@Injectable()
export class InvoiceTotals implements StreamSubscriber {
  async handle(events: readonly StreamEvent[], tx: SqlExecutor) {
    for (const event of events) {
      await tx.query('update totals set paid = paid + $1 where tenant = $2', [
        event.eventData.amount,
        event.tenantId,
      ]);
    }
  }
}
