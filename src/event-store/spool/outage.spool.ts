import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AppConfig } from '../../config/app-config.js';
import { isConnectionError } from '../../database/database-errors.js';
import { EventMetrics } from '../../metrics/event.metrics.js';
import type { EventEnvelope } from '../event-envelope.js';
import type { AppendStatus } from '../writing/event.writer.js';
import { GroupCommitQueue } from '../writing/group-commit.queue.js';

const CURRENT = 'spool.jsonl';
const REPLAY_INTERVAL_MS = 1_000;
const REPLAY_BATCH = 500;

/** A spooled event: its envelope and the handlers it had when it was published. */
export interface SpooledEvent {
  readonly envelope: EventEnvelope;
  readonly handlers: readonly string[];
}

/** Writes one spooled event to the database (and processes it if new); rejects while unreachable. */
export type ReplaySink = (envelope: EventEnvelope) => Promise<AppendStatus>;

export class SpoolFullError extends Error {
  readonly unavailable = true;

  constructor(limit: number) {
    super(`the outage spool is full (${limit} bytes); the event was not kept`);
    this.name = 'SpoolFullError';
  }
}

/**
 * SPEC §4.9: while PostgreSQL cannot be reached, events are kept on local disk and written once
 * it answers again, in order and idempotently (the insert is ON CONFLICT DO NOTHING on event_id).
 *
 * The spool is an append-only file of JSON lines under DATA_DIR/spool. Appends are group-committed:
 * one write and one fsync for every batch, and a caller's promise settles only after the fsync,
 * so whatever was acknowledged survives a crash. To replay, the current file is renamed aside
 * (new events go to a fresh one), its events are inserted in batches, and it is deleted once all
 * are in; a replay cut short is resumed from the renamed file at the next start.
 */
@Injectable()
export class OutageSpool implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly directory: string;
  private readonly queue: GroupCommitQueue<string, undefined>;
  private bytes = 0;
  private held = 0;
  private timer: NodeJS.Timeout | undefined;
  private replaying: Promise<void> | undefined;
  /** Appends, the rotation before a replay and the recount run one at a time. */
  private fileLock: Promise<unknown> = Promise.resolve();
  private sink: ReplaySink | undefined;

  constructor(
    config: AppConfig,
    private readonly metrics: EventMetrics,
    @InjectPinoLogger('OutageSpool') private readonly logger: PinoLogger,
  ) {
    this.directory = join(config.dataDir, 'spool');
    const limit = config.events.spoolMaxBytes;
    this.queue = new GroupCommitQueue({
      maxBatch: 1_000,
      maxConcurrent: 1,
      maxQueued: 20_000,
      flush: (lines) =>
        this.exclusive(async () => {
          const text = lines.join('');
          const size = Buffer.byteLength(text);
          if (this.bytes + size > limit) throw new SpoolFullError(limit);
          await mkdir(this.directory, { recursive: true });
          const file = await open(join(this.directory, CURRENT), 'a');
          try {
            await file.appendFile(text);
            await file.datasync();
          } finally {
            await file.close();
          }
          this.bytes += size;
          this.held += lines.length;
          this.metrics.spoolHeld(this.held);
          return lines.map(() => undefined);
        }),
    });
  }

  /** Resolves once the event is on disk (fsync'd); rejects with SpoolFullError when full. */
  async keep(event: SpooledEvent): Promise<void> {
    const { envelope, handlers } = event;
    await this.queue.submit(`${JSON.stringify({ envelope, handlers })}\n`);
    this.metrics.eventSpooled(envelope.eventType);
  }

  /** Where replayed events go: the pipeline, which stores and processes them. */
  replayInto(sink: ReplaySink): void {
    this.sink = sink;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.count();
    // Events kept by an earlier run (or before a crash) go in before anything else is served.
    if (this.held > 0) await this.replay();
    this.timer = setInterval(() => void this.replay(), REPLAY_INTERVAL_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.replaying;
  }

  /** Writes held events to the database, oldest first; stops quietly while it is unreachable. */
  replay(): Promise<void> {
    if (this.replaying || this.held === 0) return this.replaying ?? Promise.resolve();
    this.replaying = this.replayFiles().finally(() => (this.replaying = undefined));
    return this.replaying;
  }

  private async replayFiles(): Promise<void> {
    try {
      await this.exclusive(async () => {
        const current = join(this.directory, CURRENT);
        if ((await exists(current)) && (await stat(current)).size > 0) {
          await rename(current, join(this.directory, `replay-${Date.now()}.jsonl`));
        }
      });
      for (const file of await this.replayFilesInOrder()) {
        const events = (await readFile(file, 'utf8'))
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => revive(JSON.parse(line) as SpooledEvent));
        for (let start = 0; start < events.length; start += REPLAY_BATCH) {
          await Promise.all(
            events.slice(start, start + REPLAY_BATCH).map(({ envelope }) => this.write(envelope)),
          );
        }
        await rm(file);
        this.logger.info({ events: events.length }, 'spooled events written to the database');
      }
      await this.count();
    } catch (error) {
      if (!isConnectionError(error)) {
        this.logger.error({ err: error }, 'replaying the outage spool failed');
      }
    }
  }

  private async write(envelope: EventEnvelope): Promise<void> {
    if (!this.sink) throw new Error('the outage spool has nowhere to replay to');
    const status = await this.sink(envelope);
    if (status === 'foreign') {
      this.logger.error(
        { eventId: envelope.eventId, eventType: envelope.eventType, tenantId: envelope.tenantId },
        'spooled event refused: its eventId belongs to another tenant',
      );
    }
  }

  private async replayFilesInOrder(): Promise<string[]> {
    if (!(await exists(this.directory))) return [];
    return (await readdir(this.directory))
      .filter((name) => name.startsWith('replay-'))
      .sort()
      .map((name) => join(this.directory, name));
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.fileLock.then(work, work);
    this.fileLock = run.catch(() => undefined);
    return run;
  }

  /** What is on disk now: the size limit and the gauge follow the files, across restarts. */
  private count(): Promise<void> {
    return this.exclusive(() => this.countFiles());
  }

  private async countFiles(): Promise<void> {
    let bytes = 0;
    let held = 0;
    if (await exists(this.directory)) {
      for (const name of await readdir(this.directory)) {
        const text = await readFile(join(this.directory, name), 'utf8');
        bytes += Buffer.byteLength(text);
        held += text.split('\n').filter((line) => line.trim() !== '').length;
      }
    }
    this.bytes = bytes;
    this.held = held;
    this.metrics.spoolHeld(held);
  }
}

function revive(event: SpooledEvent): SpooledEvent {
  const envelope: EventEnvelope = {
    ...event.envelope,
    eventTimestamp: new Date(event.envelope.eventTimestamp),
  };
  return { envelope, handlers: event.handlers };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
