import { Injectable, type Type } from '@nestjs/common';
import { SqlPool } from '../../database/sql.js';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Clock } from '../../common/clock.js';
import { INSTANCE_ID } from '../../common/instance-id.js';
import { AppConfig } from '../../config/app-config.js';
import { EventMetrics } from '../../metrics/event.metrics.js';
import { isUnavailable } from '../../database/database-errors.js';
import { OutageSpool } from '../spool/outage.spool.js';
import { envelopeProblem, fitEnvelope, type EventEnvelope } from '../event-envelope.js';
import { envelopeOfRow, type EventRow } from '../event-row.js';
import { EventTypeRegistry } from '../event-type.registry.js';
import { settleClaim } from '../store/settle-claim.js';
import { EventWriter, ROW_MISSING, type AppendStatus } from '../writing/event.writer.js';
import type { EventProcessor } from './event-processor.js';
import { describeFailure } from './failure-description.js';
import { handlersOf } from './handler-outcome.js';
import { InFlightTracker } from './in-flight.tracker.js';

/**
 * Where an event stands once its persistence is settled: stored now (`created`), stored before by
 * the same tenant (`duplicate`), refused because another tenant holds its id (`foreign`), kept in
 * the outage spool (`spooled`), or neither stored nor kept (`lost`, with the error).
 */
export type PersistStatus = AppendStatus | 'spooled' | 'lost';

export interface PersistOutcome {
  readonly status: PersistStatus;
  readonly envelope: EventEnvelope;
  /** The new row, for appenders that asked for it. */
  readonly row?: EventRow;
  /** Why the event was lost. */
  readonly error?: unknown;
}

/**
 * What the CQRS handlers do with an event: the persistence handler stores it, and each processing
 * handler runs once the store has accepted it as new for its tenant, recording its outcome on the
 * event's row. Nothing acts on an event before it is stored: an id that another tenant holds, or a
 * repeat of a stored one, runs no handler. Each run catches its own errors and is tracked for a
 * graceful shutdown; nothing relies on @nestjs/cqrs, which only logs a handler's error.
 */
@Injectable()
export class EventPipeline {
  /** An event object's envelope, computed once however many handlers see it. */
  private readonly envelopes = new WeakMap<object, EventEnvelope>();
  /**
   * The persistence of each publish of an event object, in publish order, and how many of them
   * each reader (a processing handler, or the publisher) has taken: the k-th call of a handler for
   * an object belongs to its k-th publish, even when one object is published many times at once.
   */
  private readonly publishes = new WeakMap<
    object,
    { readonly outcomes: Promise<PersistOutcome>[]; readonly taken: Map<string, number> }
  >();

  constructor(
    private readonly registry: EventTypeRegistry,
    private readonly writer: EventWriter,
    private readonly tracker: InFlightTracker,
    private readonly config: AppConfig,
    private readonly metrics: EventMetrics,
    private readonly outageSpool: OutageSpool,
    private readonly db: SqlPool,
    private readonly clock: Clock,
    @InjectPinoLogger('EventPipeline') private readonly logger: PinoLogger,
  ) {
    outageSpool.replayInto((envelope) => this.storeReplayed(envelope));
  }

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
    const outcome = this.store(this.envelopeOf(event), { returnRow: false }).then((result) => {
      this.logStored(result);
      return result;
    });
    this.publishesOf(event).outcomes.push(outcome);
    return this.tracker.track(outcome.then(() => undefined));
  }

  /**
   * How the persistence of a just-published event ended; for a publisher that must answer for it
   * (the HTTP route). Call it right after EventBus.publish, which runs the handlers synchronously.
   */
  persistenceOf(event: object, reader = 'publisher'): Promise<PersistOutcome> {
    const publishes = this.publishesOf(event);
    const index = publishes.taken.get(reader) ?? 0;
    publishes.taken.set(reader, index + 1);
    // Every handler of one publish is called within EventBus.publish; waiting one microtask lets
    // the persistence handler of this publish register even when it was subscribed after us.
    return Promise.resolve().then(() => this.nthPersistence(event, publishes.outcomes[index]));
  }

  private nthPersistence(
    event: object,
    outcome: Promise<PersistOutcome> | undefined,
  ): Promise<PersistOutcome> {
    if (!outcome) {
      throw new Error(
        `${event.constructor.name} was published but not persisted: import EventStoreModule.forFeature(mapping) in the module that owns it`,
      );
    }
    return outcome;
  }

  /**
   * A processing handler's work, from the bus: runs once the event is stored as new for its
   * tenant, and not at all otherwise. Never rejects: the outcome goes onto the event's row.
   */
  runFromBus<E extends object>(processor: EventProcessor<E>, event: E): Promise<void> {
    return this.tracker.track(
      this.persistenceOf(event, processor.name).then(
        (outcome) =>
          outcome.status === 'created' ? this.run(processor, event, outcome.envelope) : undefined,
        (error: unknown) => this.logger.error({ err: error }, 'processing skipped'),
      ),
    );
  }

  /**
   * Appends an event that arrived as an envelope (over HTTP). When it is new and of a type this
   * service processes, its processing handlers run from the stored data, as a retry would run them.
   * The stored row comes back with a created outcome unless `returnRow` is false.
   */
  async append(envelope: EventEnvelope, { returnRow = true } = {}): Promise<PersistOutcome> {
    const outcome = await this.store(envelope, { returnRow });
    if (outcome.status === 'created') this.startProcessing(outcome.envelope);
    return outcome;
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
      await settleClaim(
        this.db,
        { eventId: row.event_id, tenantId: row.tenant_id },
        { now: this.clock.now(), actor: INSTANCE_ID.slice(0, 100) },
      );
      return;
    }
    await Promise.all(this.processorsFor(envelope, names));
  }

  /** Runs the handlers of an event just stored, without waiting for them. */
  private startProcessing(envelope: EventEnvelope): void {
    void this.processStored(envelope);
  }

  /** Runs the handlers of an event just stored; never rejects (each outcome goes onto the row). */
  private async processStored(envelope: EventEnvelope): Promise<void> {
    const names = this.registry.processorNames(envelope.eventType);
    if (names.length > 0) await Promise.all(this.processorsFor(envelope, names));
  }

  /**
   * Why an event of a type this service processes cannot be processed from its data, or
   * undefined: the data must rebuild the event, and the rebuilt event must be this very event
   * (its id and tenant), or a tenant could append data naming another tenant's event and have
   * handlers act on that.
   */
  dataProblem(envelope: EventEnvelope): string | undefined {
    const mapping = this.registry.mappingForType(envelope.eventType);
    if (!mapping) return undefined;
    let rebuilt: EventEnvelope;
    try {
      rebuilt = mapping.toEnvelope(mapping.fromData(envelope.eventData));
    } catch (error) {
      return `eventData is not a ${envelope.eventType} event: ${(error as Error).message}`;
    }
    if (rebuilt.eventId !== envelope.eventId) {
      return `eventData.eventId must be the event's own eventId (${envelope.eventId})`;
    }
    if (rebuilt.tenantId !== envelope.tenantId) {
      return `eventData.tenantId must be the event's own tenant (${envelope.tenantId})`;
    }
    return undefined;
  }

  /** A run of each named handler from the stored data; a handler that cannot run fails. */
  private processorsFor(envelope: EventEnvelope, names: readonly string[]): Promise<void>[] {
    let event: object | undefined;
    let unusable: Error | undefined;
    const problem = this.dataProblem(envelope);
    if (problem !== undefined) {
      unusable = new Error(problem);
    } else {
      event = this.registry.mappingForType(envelope.eventType)?.fromData(envelope.eventData);
      if (event) this.envelopes.set(event, envelope);
    }
    return names.map((name) => {
      const processor = this.registry.processor(envelope.eventType, name);
      if (event && processor) return this.tracker.track(this.run(processor, event, envelope));
      const failure =
        unusable ?? new Error(`handler ${name} of ${envelope.eventType} is not registered here`);
      this.logger.error(
        { ...logFields(envelope), handler: name, err: failure },
        'processing failed',
      );
      return this.tracker.track(this.record(envelope, name, 0, failure));
    });
  }

  /**
   * An event written from the outage spool: processed as it would have been at publish time.
   * Resolves only once its handlers have run, so that a replay holds no more than one batch of
   * events in memory however far processing falls behind the inserts.
   */
  private async storeReplayed(envelope: EventEnvelope): Promise<AppendStatus> {
    const { status } = await this.writer.append({
      envelope,
      handlers: this.registry.processorNames(envelope.eventType),
    });
    // The event is stored: whatever processing does, the replay must not take it for a refusal.
    if (status === 'created') {
      await this.processStored(envelope).catch((error: unknown) =>
        this.logger.error({ ...logFields(envelope), err: error }, 'processing skipped'),
      );
    }
    return status;
  }

  private publishesOf(event: object) {
    let publishes = this.publishes.get(event);
    if (!publishes) {
      publishes = { outcomes: [], taken: new Map() };
      this.publishes.set(event, publishes);
    }
    return publishes;
  }

  private envelopeOf(event: object): EventEnvelope {
    let envelope = this.envelopes.get(event);
    if (!envelope) {
      const eventClass = event.constructor as Type<object>;
      envelope = fitEnvelope(this.registry.mappingForClass(eventClass).toEnvelope(event));
      this.envelopes.set(event, envelope);
    }
    return envelope;
  }

  /**
   * Stores the event, or keeps it in the outage spool while the database cannot be reached or
   * has not committed the insert within EVENTS_WRITE_TIMEOUT_MS. Resolves with where the event
   * stands; never rejects.
   */
  private async store(
    original: EventEnvelope,
    { returnRow }: { returnRow: boolean },
  ): Promise<PersistOutcome> {
    const envelope = fitEnvelope(original);
    const problem = envelopeProblem(envelope);
    if (problem !== undefined) {
      this.metrics.eventLost(envelope.eventType);
      return {
        status: 'lost',
        envelope,
        error: new Error(`the event cannot be stored: ${problem}`),
      };
    }
    const handlers = this.registry.processorNames(envelope.eventType);
    const write = this.writer.append({ envelope, handlers }, { returnRow });
    let cause: unknown;
    try {
      const result = await withTimeout(
        write,
        this.config.events.writeTimeoutMs,
        () => new WriteTimeoutError(this.config.events.writeTimeoutMs),
      );
      return { status: result.status, envelope, row: result.row };
    } catch (error) {
      if (!isUnavailable(error)) {
        this.metrics.eventLost(envelope.eventType);
        return { status: 'lost', envelope, error };
      }
      cause = error;
    }
    if (cause instanceof WriteTimeoutError) {
      // The insert may still commit. If it does, it is processed from here, and the spooled copy
      // replays as a duplicate; if it does not, the replay stores and processes it. Once either way.
      write.then(
        (late) => late.status === 'created' && this.startProcessing(envelope),
        () => undefined,
      );
    }
    try {
      await this.outageSpool.keep({ envelope, handlers });
      this.logger.warn(
        { ...logFields(envelope), cause: String(cause) },
        'database unavailable or too slow: event spooled',
      );
      return { status: 'spooled', envelope };
    } catch (spoolError) {
      this.metrics.eventLost(envelope.eventType);
      return { status: 'lost', envelope, error: spoolError };
    }
  }

  private logStored({ status, envelope, error }: PersistOutcome): void {
    const fields = logFields(envelope);
    switch (status) {
      case 'created':
        this.logger.info(fields, 'event stored');
        break;
      case 'duplicate':
        this.logger.info(fields, 'event already stored: nothing written, nothing run');
        break;
      case 'foreign':
        this.logger.warn(
          fields,
          'event refused: its eventId belongs to another tenant; nothing written, nothing run',
        );
        break;
      case 'spooled':
        break;
      case 'lost':
        this.logger.error({ ...fields, err: error }, 'event lost: could not be stored or spooled');
        break;
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
        { eventId: envelope.eventId, tenantId: envelope.tenantId },
        { handler, durationMs, ...(failure ? { error: describeFailure(failure) } : {}) },
      );
      if (update === ROW_MISSING) {
        this.logger.warn(fields, 'outcome not recorded: the event is no longer stored');
      } else if (failure && update?.requiresRetry) {
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

/** The insert did not commit in time: the event goes to the spool, as in an outage. */
class WriteTimeoutError extends Error {
  readonly unavailable = true;

  constructor(timeoutMs: number) {
    super(`the database did not commit the event within ${timeoutMs} ms`);
    this.name = 'WriteTimeoutError';
  }
}

async function withTimeout<T>(
  work: Promise<T>,
  timeoutMs: number,
  failure: () => Error = () => new Error(`handler did not finish within ${timeoutMs} ms`),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(failure()), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
