import { Injectable, type Type } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AppConfig } from '../../config/app-config.js';
import { EventMetrics } from '../../metrics/event.metrics.js';
import { isUnavailable } from '../../database/database-errors.js';
import { OutageSpool } from '../spool/outage.spool.js';
import type { EventEnvelope } from '../event-envelope.js';
import { envelopeOfRow, type EventRow } from '../event-row.js';
import { EventTypeRegistry } from '../event-type.registry.js';
import { EventStore } from '../event.store.js';
import { EventWriter, type AppendResult } from '../writing/event.writer.js';
import type { EventProcessor } from './event-processor.js';
import { handlersOf } from './handler-outcome.js';
import { InFlightTracker } from './in-flight.tracker.js';

/**
 * What the CQRS handlers do with an event: the persistence handler stores it, each processing
 * handler runs and records its outcome on the event's row. Each run is its own unit of work (its
 * own EntityManager fork), catches its own errors and is tracked for a graceful shutdown; nothing
 * relies on @nestjs/cqrs, which only logs a handler's error and moves on.
 */
@Injectable()
export class EventPipeline {
  /** An event object's envelope, computed once however many handlers see it. */
  private readonly envelopes = new WeakMap<object, EventEnvelope>();

  constructor(
    private readonly registry: EventTypeRegistry,
    private readonly store: EventStore,
    private readonly writer: EventWriter,
    private readonly tracker: InFlightTracker,
    private readonly config: AppConfig,
    private readonly metrics: EventMetrics,
    private readonly outageSpool: OutageSpool,
    @InjectPinoLogger('EventPipeline') private readonly logger: PinoLogger,
  ) {}

  /**
   * Back-pressure for bulk publishers (imports, replays): resolves once fewer than
   * HIGH_WATER_MARK handler runs are in flight. EventBus.publish cannot wait, so a module that
   * publishes in bulk awaits this between chunks to keep memory bounded.
   */
  whenReady(): Promise<void> {
    return this.tracker.whenBelow(HIGH_WATER_MARK);
  }

  /** The persistence handler's work. Never rejects: a failure is logged with its cause. */
  persist(event: object): Promise<void> {
    return this.tracker.track(this.storeEnvelope(this.envelopeOf(event)).catch(() => undefined));
  }

  /** A processing handler's work. Never rejects: the outcome goes onto the event's row. */
  runProcessor<E extends object>(processor: EventProcessor<E>, event: E): Promise<void> {
    return this.tracker.track(this.run(processor, event, this.envelopeOf(event)));
  }

  /**
   * Appends an event that arrived as an envelope (over HTTP). When its type is one this service
   * processes, its processing handlers run from the stored data, as a retry would run them.
   * Resolves with whether the event was new, and then its stored row.
   */
  async append(envelope: EventEnvelope): Promise<AppendResult | 'spooled'> {
    const handlers = this.registry.processorNames(envelope.eventType);
    let result: AppendResult;
    try {
      result = await this.writer.append({ envelope, handlers, wantRow: true }, { coalesce: false });
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      // Rejects (and the request gets its 503) when the spool cannot take the event either.
      await this.spool(envelope, error);
      return 'spooled';
    }
    const { created } = result;
    const mapping = this.registry.mappingForType(envelope.eventType);
    if (created && mapping && handlers.length > 0) {
      const event = mapping.fromData(envelope.eventData);
      this.envelopes.set(event, envelope);
      for (const name of handlers) {
        const processor = this.registry.processor(envelope.eventType, name);
        if (processor) void this.runProcessor(processor, event);
      }
    }
    return result;
  }

  /**
   * A retry of a claimed event (status Retry): re-runs, from the stored event_data, only the
   * handlers that have not succeeded, and resolves once each outcome is on the row. A handler this
   * service no longer has, or data that no longer fits the event class, is recorded as that
   * handler's failure, so the event stays visible instead of silently skipped.
   */
  async rerun(row: EventRow): Promise<void> {
    const envelope = envelopeOfRow(row);
    const names = Object.entries(handlersOf(row.event_metadata))
      .filter(([, state]) => state.status !== 'succeeded')
      .map(([name]) => name)
      .sort();
    if (names.length === 0) {
      await this.store.settleClaim(row.event_id);
      return;
    }
    let event: object | undefined;
    let unusable: Error | undefined;
    try {
      event = this.registry.mappingForType(row.event_type)?.fromData(row.event_data);
      if (event) this.envelopes.set(event, envelope);
    } catch (error) {
      unusable = error instanceof Error ? error : new Error(String(error));
    }
    await Promise.all(
      names.map((name) => {
        const processor = this.registry.processor(row.event_type, name);
        if (event && processor) return this.runProcessor(processor, event);
        const failure =
          unusable ?? new Error(`handler ${name} of ${row.event_type} is not registered here`);
        this.logger.error(
          { ...logFields(envelope), handler: name, err: failure },
          'processing failed',
        );
        return this.tracker.track(this.record(envelope, name, 0, failure));
      }),
    );
  }

  private envelopeOf(event: object): EventEnvelope {
    let envelope = this.envelopes.get(event);
    if (!envelope) {
      const eventClass = event.constructor as Type<object>;
      envelope = this.registry.mappingForClass(eventClass).toEnvelope(event);
      this.envelopes.set(event, envelope);
    }
    return envelope;
  }

  private async storeEnvelope(envelope: EventEnvelope): Promise<void> {
    const fields = logFields(envelope);
    const started = performance.now();
    try {
      const handlers = this.registry.processorNames(envelope.eventType);
      const { created } = await this.writer.append({ envelope, handlers });
      this.logger.info(
        { ...fields, durationMs: elapsed(started), duplicate: !created },
        created ? 'event stored' : 'event already stored',
      );
    } catch (error) {
      if (isUnavailable(error)) {
        await this.spool(envelope, error);
        return;
      }
      this.metrics.eventLost(envelope.eventType);
      this.logger.error(
        { ...fields, durationMs: elapsed(started), err: error },
        'storing event failed',
      );
    }
  }

  /**
   * The database is unreachable: the event goes to the outage spool, to be written when it is
   * back. Only if the spool cannot take it either is the event lost, and said so.
   */
  private async spool(envelope: EventEnvelope, cause: unknown): Promise<void> {
    const fields = logFields(envelope);
    try {
      await this.outageSpool.keep({
        envelope,
        handlers: this.registry.processorNames(envelope.eventType),
      });
      this.logger.warn(
        { ...fields, cause: String(cause) },
        'database unavailable or too slow: event spooled',
      );
    } catch (error) {
      this.metrics.eventLost(envelope.eventType);
      this.logger.error(
        { ...fields, err: error, cause: String(cause) },
        'event lost: could not be stored or spooled',
      );
      throw error;
    }
  }

  private async run<E extends object>(
    processor: EventProcessor<E>,
    event: E,
    envelope: EventEnvelope,
  ): Promise<void> {
    const fields = { ...logFields(envelope), handler: processor.name };
    this.logger.info(fields, 'processing started');
    const started = performance.now();
    let failure: Error | undefined;
    try {
      await withTimeout(processor.process(event, envelope), this.config.events.handlerTimeoutMs);
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
    }
    const durationMs = elapsed(started);
    this.metrics.handlerRan(envelope.eventType, processor.name, !failure, durationMs);
    if (failure) {
      this.logger.error({ ...fields, durationMs, err: failure }, 'processing failed');
    } else {
      this.logger.info({ ...fields, durationMs }, 'processing finished');
    }
    await this.record(envelope, processor.name, durationMs, failure);
  }

  private async record(
    envelope: EventEnvelope,
    handler: string,
    durationMs: number,
    failure: Error | undefined,
  ): Promise<void> {
    const fields = { ...logFields(envelope), handler };
    try {
      const update = await this.writer.recordOutcome(
        { envelope, handlers: this.registry.processorNames(envelope.eventType) },
        {
          handler,
          durationMs,
          ...(failure ? { error: { message: failure.message, stack: failure.stack } } : {}),
        },
      );
      if (failure && update?.requiresRetry) {
        this.logger.info({ ...fields, nextRetryAt: update.nextRetryAt }, 'retry scheduled');
      } else if (failure && update) {
        this.logger.warn(fields, 'event dead: no retries left');
      }
    } catch (error) {
      this.logger.error({ ...fields, err: error }, 'recording the processing outcome failed');
    }
  }
}

/** Handler runs in flight (about two per event) past which whenReady() makes bulk publishers wait. */
const HIGH_WATER_MARK = 2000;

function logFields(envelope: EventEnvelope) {
  return {
    eventId: envelope.eventId,
    eventType: envelope.eventType,
    tenantId: envelope.tenantId,
  };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`handler did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
