import {
  ConflictException,
  Injectable,
  NotFoundException,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DiscoveryService } from '@nestjs/core';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { INSTANCE_ID } from '../../common/instance-id.js';
import { AppConfig } from '../../config/app-config.js';
import { SqlPool } from '../../database/sql.js';
import {
  countParked,
  listParked,
  removeParked,
  takeParked,
  type ParkedRow,
} from '../store/parked-events.js';
import { currentWatermark } from '../store/read-stream.js';
import { readEventRow } from '../store/read-event-row.js';
import { streamLag, type StreamLag } from '../store/stream-lag.js';
import {
  ensureSubscription,
  listSubscriptions,
  resetSubscription,
  type SubscriptionRow,
} from '../store/subscription-checkpoints.js';
import { StreamMetrics } from '../stream.metrics.js';
import { StreamWakeup } from '../stream-wakeup.js';
import { BEGINNING, cursorParam, type StreamPosition } from '../stream-position.js';
import type { StreamSubscriber } from './stream-subscriber.js';
import {
  subscriptionOptionsOf,
  type StreamSubscriptionOptions,
} from './stream-subscription.decorator.js';
import { SubscriptionRunner, toStreamEvent } from './subscription.runner.js';

/** A subscription as operators see it (GET /api/subscriptions). */
export interface SubscriptionStatus {
  readonly name: string;
  readonly eventTypes: readonly string[] | null;
  readonly tenantId: string | null;
  readonly subscription: SubscriptionRow;
  readonly lag: StreamLag;
  readonly parked: number;
  /** Whether this instance runs it now. */
  readonly runningHere: boolean;
}

interface Registered {
  readonly options: StreamSubscriptionOptions;
  readonly subscriber: StreamSubscriber;
  readonly runner: SubscriptionRunner;
}

/**
 * Finds the providers decorated with @StreamSubscription, runs one SubscriptionRunner for each
 * (which takes the subscription's lease when it can), wakes them when the stream moves, and serves
 * the operations of SPEC §11: status, parked events, replay, reset.
 */
@Injectable()
export class SubscriptionsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly subscriptions = new Map<string, Registered>();
  /**
   * Who holds leases: the instance, plus a token of this start, so that a restarted process
   * reusing a pid (pid 1 in every container) or two apps in one process never share a lease.
   */
  private readonly owner = `${INSTANCE_ID}/${randomBytes(4).toString('hex')}`.slice(-100);
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly db: SqlPool,
    private readonly wakeup: StreamWakeup,
    private readonly metrics: StreamMetrics,
    private readonly config: AppConfig,
    @InjectPinoLogger('Subscriptions') private readonly logger: PinoLogger,
  ) {
    metrics.measureWith(() => this.gauges());
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!wrapper.metatype || typeof instance !== 'object' || instance === null) continue;
      const options = subscriptionOptionsOf(wrapper.metatype);
      if (options) await this.register(options, instance as StreamSubscriber);
    }
    this.unsubscribe = this.wakeup.subscribe(() => {
      for (const { runner } of this.subscriptions.values()) runner.wake();
    });
    for (const { runner } of this.subscriptions.values()) runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all([...this.subscriptions.values()].map(({ runner }) => runner.stop()));
  }

  async status(): Promise<SubscriptionStatus[]> {
    const rows = new Map((await listSubscriptions(this.db)).map((row) => [row.name, row]));
    const parked = await countParked(this.db);
    return Promise.all(
      [...this.subscriptions.values()]
        .filter(({ options }) => rows.has(options.name))
        .map(async ({ options, runner }) => {
          const subscription = rows.get(options.name)!;
          return {
            name: options.name,
            eventTypes: options.eventTypes ?? null,
            tenantId: options.tenantId ?? null,
            subscription,
            lag: await streamLag(this.db, subscription.position, filterOf(options)),
            parked: parked.get(options.name) ?? 0,
            runningHere: runner.owner,
          };
        }),
    );
  }

  async parked(name: string, limit: number): Promise<ParkedRow[]> {
    this.registered(name);
    return listParked(this.db, name, limit);
  }

  /**
   * Delivers a parked event to its subscription's handler again, in a transaction that removes it
   * from the parked list when the handler succeeds. 409 with the handler's error when it fails.
   */
  async replay(name: string, eventId: string): Promise<void> {
    const { subscriber } = this.registered(name);
    try {
      await this.db.transaction(async (tx) => {
        const parked = await takeParked(tx, name, eventId);
        if (!parked) {
          throw new NotFoundException(`event ${eventId} is not parked for subscription ${name}`);
        }
        const event = await readEventRow(tx, parked.eventRowId);
        if (event) await subscriber.handle([toStreamEvent(event)], tx);
        await removeParked(tx, name, eventId);
      });
    } catch (error) {
      if (error instanceof NotFoundException) throw error;
      throw new ConflictException(
        `the handler of ${name} failed again on ${eventId}: ${(error as Error).message}`,
      );
    }
    this.logger.info({ subscription: name, eventId }, 'parked event replayed');
  }

  /** Moves a subscription's checkpoint; the instance running it starts again from there. */
  async reset(name: string, from: string): Promise<SubscriptionRow> {
    const registered = this.registered(name);
    const position = await this.startPosition(from, 'from');
    await ensureSubscription(this.db, name, position);
    const row = await resetSubscription(this.db, name, position);
    this.logger.warn({ subscription: name, from }, 'subscription reset by an operator');
    registered.runner.wake();
    return row!;
  }

  private async register(options: StreamSubscriptionOptions, subscriber: StreamSubscriber) {
    if (this.subscriptions.has(options.name)) {
      throw new Error(`two stream subscriptions are named ${options.name}`);
    }
    if (typeof subscriber.handle !== 'function') {
      throw new Error(`stream subscription ${options.name} has no handle(events, tx) method`);
    }
    await ensureSubscription(
      this.db,
      options.name,
      await this.startPosition(options.from ?? 'beginning', `${options.name}.from`),
    );
    const runner = new SubscriptionRunner(
      {
        name: options.name,
        filter: filterOf(options),
        batchSize: Math.min(Math.max(options.batchSize ?? 100, 1), 1_000),
        maxAttempts: Math.max(options.maxAttempts ?? 5, 1),
        leaseMs: this.config.stream.leaseMs,
        pollIntervalMs: this.config.stream.pollIntervalMs,
        instance: this.owner,
      },
      subscriber,
      this.db,
      this.metrics,
      this.logger,
    );
    this.subscriptions.set(options.name, { options, subscriber, runner });
  }

  private async startPosition(from: string, name: string): Promise<StreamPosition> {
    if (from === 'beginning') return BEGINNING;
    if (from === 'now') return currentWatermark(this.db);
    return cursorParam(name, from);
  }

  private registered(name: string): Registered {
    const registered = this.subscriptions.get(name);
    if (!registered) throw new NotFoundException(`no subscription is named ${name}`);
    return registered;
  }

  private async gauges() {
    const result = new Map<string, { lagEvents: number; lagSeconds: number; parked: number }>();
    for (const status of await this.status()) {
      result.set(status.name, {
        lagEvents: status.lag.events,
        lagSeconds: status.lag.seconds,
        parked: status.parked,
      });
    }
    return result;
  }
}

function filterOf(options: StreamSubscriptionOptions) {
  return { tenantId: options.tenantId, eventTypes: options.eventTypes };
}
