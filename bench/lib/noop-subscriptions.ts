import { Injectable, Module, type DynamicModule, type Type } from '@nestjs/common';
import type {
  StreamEvent,
  StreamSubscriber,
} from '../../src/event-stream/subscriptions/stream-subscriber.js';
import {
  StreamSubscription,
  type StreamSubscriptionOptions,
} from '../../src/event-stream/subscriptions/stream-subscription.decorator.js';

/** Called with each batch a bench subscription receives, and when. */
export type BatchObserver = (events: readonly StreamEvent[], at: number) => void;

/**
 * Subscriptions that do nothing but count (and let the bench observe what arrives when): what
 * the stream itself costs, handler work aside.
 */
export function benchSubscriptions(
  options: readonly StreamSubscriptionOptions[],
  observe: BatchObserver = () => undefined,
): DynamicModule {
  const providers: Type<StreamSubscriber>[] = options.map((option) => {
    @StreamSubscription(option)
    @Injectable()
    class NoopSubscriber implements StreamSubscriber {
      handle(events: readonly StreamEvent[]): Promise<void> {
        observe(events, performance.now());
        return Promise.resolve();
      }
    }
    Object.defineProperty(NoopSubscriber, 'name', { value: `Bench_${option.name}` });
    return NoopSubscriber;
  });
  return { module: BenchSubscriptionsModule, providers };
}

@Module({})
class BenchSubscriptionsModule {}
