import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { SqlPool } from '../database/sql.js';
import { EventMetrics } from '../metrics/event.metrics.js';
import { watermarkAge } from './store/stream-lag.js';

/** What scrapes ask of the running subscriptions: computed at scrape time. */
export interface SubscriptionGauges {
  lagEvents: number;
  lagSeconds: number;
  parked: number;
}

/**
 * The stream's Prometheus metrics, on the service's registry: per subscription (by its name,
 * which the code declares, never a client), and for the stream as a whole. Lag and parked counts
 * are measured when scraped.
 */
@Injectable()
export class StreamMetrics {
  private readonly delivered: Counter<'subscription'>;
  private readonly failures: Counter<'subscription'>;
  private readonly leaseChanges: Counter<'subscription' | 'change'>;
  private readonly openStreams: Gauge;
  private gauges = () => Promise.resolve(new Map<string, SubscriptionGauges>());

  constructor(metrics: EventMetrics, db: SqlPool) {
    const registers = [metrics.registry];
    this.delivered = new Counter({
      name: 'flowflex_subscription_delivered_total',
      help: 'Events handled by a subscription and checkpointed',
      labelNames: ['subscription'],
      registers,
    });
    this.failures = new Counter({
      name: 'flowflex_subscription_handler_failures_total',
      help: 'Failed handle() calls of a subscription (each retry counts)',
      labelNames: ['subscription'],
      registers,
    });
    this.leaseChanges = new Counter({
      name: 'flowflex_subscription_lease_changes_total',
      help: 'Leases this instance acquired or lost, per subscription',
      labelNames: ['subscription', 'change'],
      registers,
    });
    this.openStreams = new Gauge({
      name: 'flowflex_stream_open_streams',
      help: 'Server-Sent Events streams open on this instance',
      registers,
    });
    const gauge = (name: string, help: string, pick: (g: SubscriptionGauges) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['subscription'],
        registers,
        collect: async function collect(this: Gauge<'subscription'>) {
          this.reset();
          for (const [subscription, values] of await gauges()) {
            this.set({ subscription }, pick(values));
          }
        },
      });
    const gauges = () => this.gauges();
    gauge(
      'flowflex_subscription_lag_events',
      'Events after the checkpoint that the subscription will receive (capped at 100000)',
      (g) => g.lagEvents,
    );
    gauge(
      'flowflex_subscription_lag_seconds',
      'Age of the oldest event the subscription has not handled yet',
      (g) => g.lagSeconds,
    );
    gauge('flowflex_subscription_parked', 'Events parked for the subscription', (g) => g.parked);
    new Gauge({
      name: 'flowflex_stream_watermark_age_seconds',
      help: 'How long the oldest open writing transaction has held the stream watermark back',
      registers,
      collect: async function collect(this: Gauge) {
        this.set(await watermarkAge(db).catch(() => Number.NaN));
      },
    });
  }

  /** Where the per-subscription gauges come from (the subscriptions service). */
  measureWith(gauges: () => Promise<Map<string, SubscriptionGauges>>): void {
    this.gauges = gauges;
  }

  deliveredEvents(subscription: string, count: number): void {
    this.delivered.inc({ subscription }, count);
  }

  handlerFailed(subscription: string): void {
    this.failures.inc({ subscription });
  }

  leaseChanged(subscription: string, change: 'acquired' | 'lost'): void {
    this.leaseChanges.inc({ subscription, change });
  }

  streamOpened(): void {
    this.openStreams.inc();
  }

  streamClosed(): void {
    this.openStreams.dec();
  }
}
