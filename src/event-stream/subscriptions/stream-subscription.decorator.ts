import type { Type } from '@nestjs/common';

/** What a subscription follows, and how it is run. */
export interface StreamSubscriptionOptions {
  /** Unique, stable: the key of its checkpoint (1 to 100 characters). */
  readonly name: string;
  /** Event types it wants; all when absent. */
  readonly eventTypes?: readonly string[];
  /** One tenant's events; every tenant's when absent. */
  readonly tenantId?: string;
  /**
   * Where a subscription seen for the first time starts: `beginning` (default), `now`, or a
   * cursor. Afterwards it continues from its checkpoint (an operator may reset it).
   */
  readonly from?: string;
  /** Events per handle() call, 1 to 1000 (default 100). */
  readonly batchSize?: number;
  /** Attempts at a batch, then at each of its events, before an event is parked (default 5). */
  readonly maxAttempts?: number;
}

const METADATA = Symbol('flowflex:stream-subscription');

/**
 * Declares a provider as a subscription to the event stream (see StreamSubscriber). Several
 * instances of the service may run: one at a time runs each subscription, under a lease.
 *
 * ```ts
 * @StreamSubscription({ name: 'invoice-totals', eventTypes: ['InvoicePaid'] })
 * @Injectable()
 * export class InvoiceTotals implements StreamSubscriber {
 *   async handle(events: readonly StreamEvent[], tx: SqlExecutor) { ... }
 * }
 * ```
 */
export function StreamSubscription(options: StreamSubscriptionOptions): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(METADATA, options, target);
  };
}

export function subscriptionOptionsOf(
  type: Type<unknown> | object,
): StreamSubscriptionOptions | undefined {
  return Reflect.getMetadata(METADATA, type) as StreamSubscriptionOptions | undefined;
}
