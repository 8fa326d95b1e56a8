import {
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { SqlPool } from '../../database/sql.js';
import { RepeatedFailureLog } from '../../logging/repeated-failure.log.js';
import { readStream } from '../store/read-stream.js';
import { StreamWakeup } from '../stream-wakeup.js';
import { comparePositions, type StreamPosition } from '../stream-position.js';
import type { StreamClient } from './stream-client.js';

/** Events per read of a client catching up, and of the hub. */
const CATCH_UP_PAGE = 100;
const HUB_PAGE = 500;

/**
 * Feeds the Server-Sent Events streams. A new client first catches up on its own, reading its
 * filter's events page by page from its start point (pausing while its socket is full). Once a
 * page comes back short it is at the watermark and joins the hub, which reads the whole stream
 * once per wake-up for every live client and hands each the events it matches: two hundred
 * clients cost one read per wake-up, not two hundred.
 *
 * No event is skipped or sent twice on the way: a client joins only when the hub is not ahead of
 * it (else it reads again), and the hub sends a client only events after the client's position.
 * A live client whose socket fills up leaves the hub, waits for it to drain and catches up again
 * from where it stopped.
 */
@Injectable()
export class StreamHub implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /** Every open stream, catching up or live. */
  private readonly clients = new Set<StreamClient>();
  private readonly live = new Set<StreamClient>();
  private open = 0;
  private position: StreamPosition | undefined;
  private reading = false;
  private wakePending = false;
  private stopping = false;
  private unsubscribe: (() => void) | undefined;
  private readonly failures: RepeatedFailureLog;

  constructor(
    private readonly db: SqlPool,
    private readonly wakeup: StreamWakeup,
    @InjectPinoLogger('StreamHub') private readonly logger: PinoLogger,
  ) {
    this.failures = new RepeatedFailureLog(logger, 'live stream read');
  }

  onApplicationBootstrap(): void {
    this.unsubscribe = this.wakeup.subscribe(() => this.wake());
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
    this.unsubscribe?.();
    // Every stream, live or catching up: an open response would hold the HTTP server's close.
    for (const client of [...this.clients]) client.close('server shutting down; reconnect');
  }

  /** Counts a new stream in; false when STREAM_MAX_CLIENTS are open already (or shutting down). */
  admit(max: number): boolean {
    if (this.stopping || this.open >= max) return false;
    this.open += 1;
    return true;
  }

  /** A stream admitted by admit() has ended. */
  release(): void {
    this.open -= 1;
  }

  /** Catches the client up, then keeps it live, until it leaves. Never rejects. */
  async serve(client: StreamClient): Promise<void> {
    this.clients.add(client);
    if (this.stopping) client.close('server shutting down; reconnect');
    try {
      while (!client.closed && !this.stopping) {
        const page = await readStream(this.db, client.position, client.filter, CATCH_UP_PAGE);
        for (const event of page.events) {
          if (!client.write(event) && !(await client.drained())) return;
        }
        client.position = page.next;
        if (!page.caughtUp || !(await client.drained())) continue;
        if (this.position === undefined || comparePositions(this.position, client.position) <= 0) {
          this.position ??= client.position;
          this.live.add(client);
          return;
        }
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'a stream client could not catch up: disconnecting it');
      client.close('the database is unavailable; reconnect');
    }
  }

  /** A client is gone (or, live, fell behind: it catches up on its own again). */
  leave(client: StreamClient): void {
    if (client.closed) this.clients.delete(client);
    this.live.delete(client);
    if (this.live.size === 0) this.position = undefined;
  }

  private wake(): void {
    if (this.live.size === 0 || this.stopping) return;
    if (this.reading) {
      this.wakePending = true;
      return;
    }
    void this.readLive();
  }

  private async readLive(): Promise<void> {
    this.reading = true;
    try {
      do {
        this.wakePending = false;
        for (;;) {
          if (this.position === undefined || this.live.size === 0) break;
          const page = await readStream(this.db, this.position, {}, HUB_PAGE);
          this.dispatch(page.events);
          this.position = page.next;
          for (const client of this.live) {
            if (comparePositions(client.position, page.next) < 0) client.position = page.next;
          }
          if (page.caughtUp) break;
        }
      } while (this.wakePending && !this.stopping);
      this.failures.succeeded();
    } catch (error) {
      this.failures.failed(error);
    } finally {
      this.reading = false;
    }
  }

  private dispatch(events: readonly Parameters<StreamClient['write']>[0][]): void {
    for (const client of [...this.live]) {
      if (client.closed) {
        this.leave(client);
        continue;
      }
      for (const event of events) {
        if (comparePositions(event.position, client.position) <= 0 || !client.matches(event)) {
          continue;
        }
        if (!client.write(event)) {
          // Its socket is full: it leaves the hub and catches up on its own once drained.
          this.leave(client);
          void client.drained().then(async (drained) => {
            if (drained) await this.serve(client);
          });
          break;
        }
      }
    }
  }
}
