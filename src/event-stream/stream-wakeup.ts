import {
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import pg from 'pg';
import { AppConfig } from '../config/app-config.js';
import { Database } from '../database/database.js';

const CHANNEL = 'ff_events';
const MAX_RECONNECT_DELAY_MS = 30_000;

/** Called when new events may be in the stream. */
export type WakeListener = () => void;

/**
 * Tells the stream's readers (subscriptions, the live hub) when to read again: at once when
 * PostgreSQL NOTIFYs `ff_events` (a statement-level trigger on ff_events does after each insert),
 * and every STREAM_POLL_INTERVAL_MS whatever happens.
 *
 * The notification is only a signal, never the data: NOTIFY is delivered at commit and is lost
 * while the listening connection is down, and readers always read the stream itself. LISTEN runs
 * on a connection of its own, outside the pool (a pooled connection is handed to others between
 * statements). When that connection fails it is opened again with backoff; meanwhile the poll
 * keeps readers going, and every reconnect wakes them, since notifications may have been missed.
 */
@Injectable()
export class StreamWakeup implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly listeners = new Set<WakeListener>();
  private client: pg.Client | undefined;
  private poll: NodeJS.Timeout | undefined;
  private reconnect: NodeJS.Timeout | undefined;
  private stopping = false;
  private delay = 1_000;

  constructor(
    private readonly database: Database,
    private readonly config: AppConfig,
    @InjectPinoLogger('StreamWakeup') private readonly logger: PinoLogger,
  ) {}

  /** Registers a reader; returns how to unregister it. */
  subscribe(listener: WakeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether the LISTEN connection is up (readiness of the live path, for tests and metrics). */
  get listening(): boolean {
    return this.client !== undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.poll = setInterval(() => this.wake(), this.config.stream.pollIntervalMs);
    await this.connect();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.poll);
    clearTimeout(this.reconnect);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Wakes every reader now. */
  wake(): void {
    for (const listener of this.listeners) listener();
  }

  private async connect(): Promise<void> {
    if (this.stopping) return;
    const client = new pg.Client({
      connectionString: this.database.url,
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
      application_name: 'flowflex-events stream listener',
    });
    client.on('notification', () => this.wake());
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('the LISTEN connection ended')));
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (this.stopping) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    if (this.delay > 1_000) this.logger.info('stream listener connected again');
    this.delay = 1_000;
    // Notifications sent while no connection listened are gone: read again.
    this.wake();
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.stopping || this.reconnect) return;
    if (this.client === client) this.client = undefined;
    client.removeAllListeners('end');
    void client.end().catch(() => undefined);
    this.logger.warn(
      { err: error, retryInMs: this.delay },
      'stream listener lost its connection; polling until it is back',
    );
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      void this.connect();
    }, this.delay);
    this.delay = Math.min(this.delay * 2, MAX_RECONNECT_DELAY_MS);
  }
}
