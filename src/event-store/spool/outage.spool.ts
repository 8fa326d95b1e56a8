import { createReadStream } from 'node:fs';
import {
  appendFile,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import {
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AppConfig } from '../../config/app-config.js';
import { isConnectionError, isUnavailable } from '../../database/database-errors.js';
import { EventMetrics, type DeadLetterReason } from '../../metrics/event.metrics.js';
import type { EventEnvelope } from '../event-envelope.js';
import type { AppendStatus } from '../writing/event.writer.js';
import { GroupCommitQueue } from '../writing/group-commit.queue.js';

const CURRENT = 'spool.jsonl';
const DEAD_LETTERS = 'dead-letter.jsonl';
const REPLAY_PREFIX = 'replay-';
/** Beside a replay file: how many of its bytes are written (or dead-lettered) already. */
const DONE_SUFFIX = '.done';
const REPLAY_INTERVAL_MS = 1_000;
/** How long start-up waits for the replay of an earlier run's spool before serving anyway. */
export const STARTUP_REPLAY_WAIT_MS = 5_000;
/**
 * Records read and written per step of a replay, and their bytes: a step ends at whichever comes
 * first. A step's events are held, parsed, sent and processed at once (several copies of each), so
 * the byte bound keeps a spool of large events within a heap the size of EVENTS_SPOOL_MAX_BYTES.
 */
const REPLAY_BATCH = 500;
const REPLAY_BATCH_BYTES = 1024 * 1024;

/** A spooled event: its envelope and the handlers it had when it was published. */
export interface SpooledEvent {
  readonly envelope: EventEnvelope;
  readonly handlers: readonly string[];
}

/**
 * Writes one spooled event to the database and, if new, processes it before it resolves; rejects
 * while the database is unreachable.
 */
export type ReplaySink = (envelope: EventEnvelope) => Promise<AppendStatus>;

export class SpoolFullError extends Error {
  readonly unavailable = true;

  constructor(limit: number) {
    super(`the outage spool is full (${limit} bytes); the event was not kept`);
    this.name = 'SpoolFullError';
  }
}

/** One line of a replay file, with where it ends in the file. */
interface SpoolLine {
  readonly text: string;
  readonly end: number;
}

/**
 * SPEC §4.9: while PostgreSQL cannot be reached, events are kept on local disk and written once
 * it answers again, idempotently (the insert is ON CONFLICT DO NOTHING on event_id), and then
 * processed as they would have been at publish time.
 *
 * The spool is an append-only file of JSON lines under DATA_DIR/spool. Appends are group-committed:
 * one write and one fsync for every batch, and a caller's promise settles only after the fsync,
 * so whatever was acknowledged survives a crash. An append that fails half-way is cut back off the
 * file, so a full disk never leaves half a line for the next append to run into.
 *
 * To replay, the current file is renamed aside (new events go to a fresh one) and read as a
 * stream, one bounded batch of lines at a time, whatever its size; after each batch the byte
 * offset done is recorded beside it, so a replay cut short (the database gone again, a restart)
 * resumes where it stopped. At start-up a current file left by an earlier run is renamed aside
 * too: a crash during an append can leave a torn last line, and nothing must be appended after it.
 *
 * A line that cannot be read (torn, corrupt) or that PostgreSQL refuses for a reason other than
 * the connection, or whose eventId another tenant holds, goes to dead-letter.jsonl beside it with
 * the reason, is logged with its eventId where that can be read, and is counted
 * (flowflex_spool_dead_letters_total): one bad record never holds up the ones after it.
 */
@Injectable()
export class OutageSpool implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly directory: string;
  private readonly queue: GroupCommitQueue<string, undefined>;
  private bytes = 0;
  private held = 0;
  private timer: NodeJS.Timeout | undefined;
  private replaying: Promise<void> | undefined;
  private stopping = false;
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
          await this.appendDurably(text);
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
    await this.exclusive(() => this.rotate());
    await this.count();
    // Events kept by an earlier run (or before a crash) go in before anything else is served, but
    // a spool too large to replay in STARTUP_REPLAY_WAIT_MS (or handlers that hang) goes on
    // replaying while the service serves, so that /health answers within a start-up period.
    if (this.held > 0) await untilOrAfter(this.replay(), STARTUP_REPLAY_WAIT_MS);
    // A SIGTERM during the wait has already run beforeApplicationShutdown: start nothing more.
    if (!this.stopping) this.timer = setInterval(() => void this.replay(), REPLAY_INTERVAL_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.replaying;
  }

  /** Writes held events to the database, oldest first; stops quietly while it is unreachable. */
  replay(): Promise<void> {
    if (this.replaying || this.held === 0) return this.replaying ?? Promise.resolve();
    this.replaying = this.replayFiles().finally(() => (this.replaying = undefined));
    return this.replaying;
  }

  private async appendDurably(text: string): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    const file = await open(join(this.directory, CURRENT), 'a');
    const before = (await file.stat()).size;
    try {
      await file.appendFile(text);
      await file.datasync();
    } catch (error) {
      // Half a batch on disk would be read as torn lines and run into the next append.
      await file.truncate(before).catch(() => undefined);
      throw error;
    } finally {
      await file.close();
    }
  }

  /** Moves the current file aside for replay; new events then go to a fresh one. */
  private async rotate(): Promise<void> {
    const current = join(this.directory, CURRENT);
    if ((await sizeOf(current)) > 0) {
      await rename(current, join(this.directory, `${REPLAY_PREFIX}${Date.now()}.jsonl`));
    }
  }

  private async replayFiles(): Promise<void> {
    try {
      await this.exclusive(() => this.rotate());
      for (const file of await this.replayFilesInOrder()) {
        if (this.stopping) return;
        const written = await this.replayFile(file);
        if (written === undefined) return;
        await rm(file);
        await rm(file + DONE_SUFFIX, { force: true });
        this.logger.info({ file, events: written }, 'spooled events written to the database');
      }
    } catch (error) {
      if (!isConnectionError(error)) {
        this.logger.error({ err: error }, 'replaying the outage spool failed');
      }
    } finally {
      await this.count().catch(() => undefined);
    }
  }

  /**
   * Replays one file from where an earlier replay of it stopped. Resolves with the number of
   * records written, or undefined when it stopped early (the database became unreachable again,
   * or shutdown began); rejects only on a file error.
   */
  private async replayFile(file: string): Promise<number | undefined> {
    const start = await readDone(file);
    let written = 0;
    let batch: SpoolLine[] = [];
    let batchStart = start;
    for await (const line of readLines(file, start)) {
      batch.push(line);
      if (batch.length < REPLAY_BATCH && line.end - batchStart < REPLAY_BATCH_BYTES) continue;
      if (!(await this.replayBatch(file, batch))) return undefined;
      written += batch.length;
      batch = [];
      batchStart = line.end;
    }
    if (batch.length > 0 && !(await this.replayBatch(file, batch))) return undefined;
    return written + batch.length;
  }

  /** Writes one batch; false when the database cannot be reached (nothing after it is done). */
  private async replayBatch(file: string, lines: readonly SpoolLine[]): Promise<boolean> {
    if (this.stopping) return false;
    if (!this.sink) throw new Error('the outage spool has nowhere to replay to');
    const sink = this.sink;
    const outcomes = await Promise.all(
      lines.map(async (line) => {
        let envelope: EventEnvelope;
        try {
          envelope = revive(JSON.parse(line.text) as SpooledEvent);
        } catch (error) {
          return this.deadLetter(line.text, 'unreadable', (error as Error).message);
        }
        try {
          const status = await sink(envelope);
          if (status === 'foreign') {
            return this.deadLetter(
              line.text,
              'foreign_event_id',
              'its eventId belongs to another tenant',
              envelope,
            );
          }
          return 'written' as const;
        } catch (error) {
          if (isUnavailable(error)) return 'unavailable' as const;
          return this.deadLetter(
            line.text,
            'refused',
            `PostgreSQL refused it: ${(error as Error).message}`,
            envelope,
          );
        }
      }),
    );
    if (outcomes.includes('unavailable')) return false;
    await writeFile(file + DONE_SUFFIX, String(lines[lines.length - 1].end));
    return true;
  }

  private async deadLetter(
    text: string,
    reason: DeadLetterReason,
    detail: string,
    envelope?: EventEnvelope,
  ): Promise<'dead-lettered'> {
    const eventId = envelope?.eventId ?? /"eventId":"((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
    const record = { at: new Date().toISOString(), reason, detail, eventId, record: text };
    await appendFile(join(this.directory, DEAD_LETTERS), `${JSON.stringify(record)}\n`);
    this.metrics.spoolDeadLettered(reason);
    this.logger.error(
      {
        eventId,
        eventType: envelope?.eventType,
        tenantId: envelope?.tenantId,
        reason,
        detail,
        file: DEAD_LETTERS,
      },
      'spooled event moved to the dead-letter file',
    );
    return 'dead-lettered';
  }

  private async replayFilesInOrder(): Promise<string[]> {
    if ((await sizeOf(this.directory)) < 0) return [];
    return (await readdir(this.directory))
      .filter((name) => name.startsWith(REPLAY_PREFIX) && name.endsWith('.jsonl'))
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

  /** Counts lines a chunk at a time: a spool of any size is counted in bounded memory. */
  private async countFiles(): Promise<void> {
    let bytes = 0;
    let held = 0;
    const current = join(this.directory, CURRENT);
    for (const file of [...(await this.replayFilesInOrder()), current]) {
      const size = await sizeOf(file);
      if (size <= 0) continue;
      const start = file === current ? 0 : await readDone(file);
      bytes += size - start;
      for await (const chunk of createReadStream(file, { start })) {
        const read = chunk as Buffer;
        for (let at = read.indexOf(0x0a); at !== -1; at = read.indexOf(0x0a, at + 1)) held += 1;
      }
      // A last line without its newline (torn by a crash) is still a record to account for.
      if (size > start && (await lastByte(file, size)) !== 0x0a) held += 1;
    }
    this.bytes = bytes;
    this.held = held;
    this.metrics.spoolHeld(held);
  }
}

/**
 * The lines of a file from a byte offset, each with the offset just past its newline (or the
 * file's end, for a last line torn by a crash). Split here rather than by readline, whose
 * iterator reads up to 1024 lines ahead of its consumer (a gigabyte of 1 MB events): this holds
 * one chunk of the file and the line being read.
 */
async function* readLines(file: string, start: number): AsyncGenerator<SpoolLine> {
  let parts: Buffer[] = [];
  let end = start;
  const line = (bytes: Buffer): SpoolLine | undefined => {
    const text = bytes.toString('utf8');
    return text.trim() === '' ? undefined : { text, end };
  };
  for await (const chunk of createReadStream(file, { start }) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, from)) {
      const bytes = Buffer.concat([...parts, chunk.subarray(from, at)]);
      parts = [];
      end += bytes.length + 1;
      from = at + 1;
      const read = line(bytes);
      if (read) yield read;
    }
    if (from < chunk.length) parts.push(chunk.subarray(from));
  }
  const torn = Buffer.concat(parts);
  end += torn.length;
  const read = line(torn);
  if (read) yield read;
}

/** Resolves when `work` settles or after `ms`, whichever comes first; never rejects. */
async function untilOrAfter(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  try {
    await Promise.race([work.catch(() => undefined), elapsed]);
  } finally {
    clearTimeout(timer);
  }
}

async function readDone(file: string): Promise<number> {
  try {
    const done = Number(await readFile(file + DONE_SUFFIX, 'utf8'));
    return Number.isSafeInteger(done) && done > 0 ? done : 0;
  } catch {
    return 0;
  }
}

async function lastByte(file: string, size: number): Promise<number> {
  const handle = await open(file, 'r');
  try {
    const { buffer } = await handle.read(Buffer.alloc(1), 0, 1, size - 1);
    return buffer[0];
  } finally {
    await handle.close();
  }
}

function revive(event: SpooledEvent): EventEnvelope {
  const envelope = event.envelope;
  const eventTimestamp = new Date(envelope.eventTimestamp);
  if (typeof envelope.eventId !== 'string' || Number.isNaN(eventTimestamp.getTime())) {
    throw new Error('the record is not a spooled event');
  }
  return { ...envelope, eventTimestamp };
}

/** -1 when the path does not exist. */
async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return -1;
  }
}
