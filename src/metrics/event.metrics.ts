import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { EventTypeRegistry } from '../event-store/event-type.registry.js';

/** Why a spooled record was not written: see OutageSpool. */
export type DeadLetterReason = 'unreadable' | 'foreign_event_id' | 'refused';

/** Event types this service does not know (appended over HTTP) share one label value. */
export const UNREGISTERED_TYPE = 'unregistered';

const SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The service's Prometheus metrics (SPEC §8), on a registry of its own so that several apps in one
 * process (tests) never share counters. Label values are bounded: event types by the registry,
 * routes by their pattern, sweeps and handlers by name; nothing a client sends becomes a label.
 */
@Injectable()
export class EventMetrics {
  readonly registry = new Registry();

  private readonly stored = this.counter(
    'flowflex_events_stored_total',
    'Events written to ff_events',
    ['event_type'],
  );
  private readonly processed = this.counter(
    'flowflex_events_processed_total',
    'Events that reached Processed (every handler succeeded, or marked by hand)',
    ['event_type'],
  );
  private readonly failed = this.counter(
    'flowflex_events_failed_total',
    'Processing attempts that left their event Failed',
    ['event_type'],
  );
  private readonly retried = this.counter(
    'flowflex_events_retried_total',
    'Events claimed for another attempt (retry sweep, recovery or by hand)',
    ['event_type'],
  );
  private readonly dead = this.counter(
    'flowflex_events_dead_total',
    'Events left Failed with no retry remaining',
    ['event_type'],
  );
  private readonly spooled = this.counter(
    'flowflex_events_spooled_total',
    'Events kept in the outage spool because the database could not be reached',
    ['event_type'],
  );
  private readonly lost = this.counter(
    'flowflex_events_lost_total',
    'Events that could be neither stored nor spooled (spool full or unwritable)',
    ['event_type'],
  );
  private readonly refused = this.counter(
    'flowflex_events_refused_total',
    "Events refused without being stored or processed: foreign_event_id (the id is another tenant's)",
    ['event_type', 'reason'],
  );
  private readonly deadLetters = this.counter(
    'flowflex_spool_dead_letters_total',
    'Spooled records moved to the dead-letter file instead of written: unreadable, foreign_event_id, refused',
    ['reason'],
  );
  private readonly spoolGauge = new Gauge({
    name: 'flowflex_spool_events',
    help: 'Events held in the outage spool, waiting for the database',
    registers: [this.registry],
  });
  private readonly handlerSeconds = new Histogram({
    name: 'flowflex_handler_duration_seconds',
    help: 'Processing handler run time',
    labelNames: ['event_type', 'handler', 'outcome'],
    buckets: SECONDS,
    registers: [this.registry],
  });
  private readonly sweepRuns = this.counter('flowflex_sweep_runs_total', 'Sweep runs', [
    'sweep',
    'outcome',
  ]);
  private readonly sweepSeconds = new Histogram({
    name: 'flowflex_sweep_duration_seconds',
    help: 'Sweep run time',
    labelNames: ['sweep'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  private readonly sweepRows = this.counter(
    'flowflex_sweep_rows_total',
    'Rows sweeps touched, by what they did to them',
    ['sweep', 'action'],
  );
  private readonly httpSeconds = new Histogram({
    name: 'flowflex_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route', 'status'],
    buckets: SECONDS,
    registers: [this.registry],
  });

  constructor(private readonly types: EventTypeRegistry) {
    collectDefaultMetrics({ register: this.registry });
  }

  eventStored(eventType: string, count = 1): void {
    this.stored.inc({ event_type: this.typeLabel(eventType) }, count);
  }

  eventProcessed(eventType: string): void {
    this.processed.inc({ event_type: this.typeLabel(eventType) });
  }

  eventFailed(eventType: string): void {
    this.failed.inc({ event_type: this.typeLabel(eventType) });
  }

  eventRetried(eventType: string): void {
    this.retried.inc({ event_type: this.typeLabel(eventType) });
  }

  eventDead(eventType: string): void {
    this.dead.inc({ event_type: this.typeLabel(eventType) });
  }

  eventSpooled(eventType: string): void {
    this.spooled.inc({ event_type: this.typeLabel(eventType) });
  }

  eventLost(eventType: string): void {
    this.lost.inc({ event_type: this.typeLabel(eventType) });
  }

  eventRefused(eventType: string, reason: 'foreign_event_id'): void {
    this.refused.inc({ event_type: this.typeLabel(eventType), reason });
  }

  spoolDeadLettered(reason: DeadLetterReason): void {
    this.deadLetters.inc({ reason });
  }

  spoolHeld(events: number): void {
    this.spoolGauge.set(events);
  }

  handlerRan(eventType: string, handler: string, succeeded: boolean, durationMs: number): void {
    this.handlerSeconds.observe(
      {
        event_type: this.typeLabel(eventType),
        handler,
        outcome: succeeded ? 'succeeded' : 'failed',
      },
      durationMs / 1000,
    );
  }

  /** One sweep run: its outcome, duration and the counts of its report (batch counts aside). */
  sweepRan(
    sweep: string,
    outcome: 'ok' | 'skipped' | 'failed',
    durationMs: number,
    report: Readonly<Record<string, number | boolean>> = {},
  ): void {
    this.sweepRuns.inc({ sweep, outcome });
    this.sweepSeconds.observe({ sweep }, durationMs / 1000);
    for (const [action, value] of Object.entries(report)) {
      if (typeof value === 'number' && !/batches/i.test(action)) {
        this.sweepRows.inc({ sweep, action }, value);
      }
    }
  }

  httpRequest(method: string, route: string, status: number, durationMs: number): void {
    this.httpSeconds.observe({ method, route, status: String(status) }, durationMs / 1000);
  }

  private typeLabel(eventType: string): string {
    return this.types.mappingForType(eventType) ? eventType : UNREGISTERED_TYPE;
  }

  private counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }
}
