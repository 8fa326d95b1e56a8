import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PinoLogger } from 'nestjs-pino';
import { AppConfig } from '../../src/config/app-config.js';
import type { EventEnvelope } from '../../src/event-store/event-envelope.js';
import {
  OutageSpool,
  STARTUP_REPLAY_WAIT_MS,
  type ReplaySink,
} from '../../src/event-store/spool/outage.spool.js';
import type { EventMetrics } from '../../src/metrics/event.metrics.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const uncounted = { spoolHeld: () => undefined, spoolDeadLettered: () => undefined };

/** A spool line as the service writes one; `text` pads the description to make it large. */
function spoolLine(eventId: string, text = ''): string {
  const envelope = {
    eventId,
    eventType: 'SomethingHappened',
    eventVersion: '1',
    eventTimestamp: '2026-12-07T00:00:00.000Z',
    aggregateId: '1',
    aggregateType: 'Thing',
    eventSource: 'test',
    eventData: {},
    eventMetadata: {},
    eventDescription: text,
    eventTags: [],
    tenantId: 'acme',
  };
  return `${JSON.stringify({ envelope, handlers: [] })}\n`;
}

/** A sink that answers each event after a turn of the event loop, noting how many were open. */
function recordingSink() {
  const seen: string[] = [];
  let open = 0;
  let mostOpen = 0;
  const sink: ReplaySink = async (envelope: EventEnvelope) => {
    open += 1;
    mostOpen = Math.max(mostOpen, open);
    await new Promise((resolve) => setImmediate(resolve));
    seen.push(envelope.eventId);
    open -= 1;
    return 'created';
  };
  return { sink, seen, mostOpen: () => mostOpen };
}

describe('OutageSpool replay', () => {
  let dataDir: string;
  let spool: OutageSpool;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'flowflex-spool-unit-'));
    await mkdir(join(dataDir, 'spool'));
    const config = AppConfig.fromEnv({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/unused',
      DATA_DIR: dataDir,
    });
    spool = new OutageSpool(
      config,
      uncounted as unknown as EventMetrics,
      quiet as unknown as PinoLogger,
    );
  });

  afterEach(async () => {
    await spool.beforeApplicationShutdown();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('holds one batch of large records in flight at a time: those reaching 1 MiB', async () => {
    const ids = Array.from({ length: 400 }, (_, at) => `large-${at}`);
    const lines = ids.map((id) => spoolLine(id, 'x'.repeat(8_000)));
    await writeFile(join(dataDir, 'spool', 'spool.jsonl'), lines.join(''));
    const { sink, seen, mostOpen } = recordingSink();
    spool.replayInto(sink);

    await spool.onApplicationBootstrap();

    expect(seen).toEqual(ids);
    const lineBytes = Buffer.byteLength(lines[0]);
    expect(mostOpen()).toBeLessThanOrEqual(Math.ceil(2 ** 20 / lineBytes));
    expect(mostOpen()).toBeGreaterThan(1);
    expect(await readdir(join(dataDir, 'spool'))).toEqual([]);
  });

  it('replays multi-byte text and moves a torn last line to the dead-letter file', async () => {
    const whole = [spoolLine('café', 'é'.repeat(3_000)), '\n', spoolLine('naïve', '日本')];
    const torn = spoolLine('torn').slice(0, 40);
    await writeFile(join(dataDir, 'spool', 'spool.jsonl'), whole.join('') + torn);
    const { sink, seen } = recordingSink();
    spool.replayInto(sink);

    await spool.onApplicationBootstrap();

    expect(seen).toEqual(['café', 'naïve']);
    expect(await readdir(join(dataDir, 'spool'))).toEqual(['dead-letter.jsonl']);
  });

  it('resumes a replay cut short by an outage at the byte just past its last batch', async () => {
    const ids = Array.from({ length: 6 }, (_, at) => `wide-${at}`);
    const lines = ids.map((id) => spoolLine(id, 'é'.repeat(200_000)));
    await writeFile(join(dataDir, 'spool', 'spool.jsonl'), lines.join(''));
    const written: string[] = [];
    let down = true;
    spool.replayInto((envelope) => {
      if (down && envelope.eventId === 'wide-3') {
        return Promise.reject(Object.assign(new Error('gone'), { unavailable: true }));
      }
      // Lines of 400 KB cross the file's 64 KiB chunks, some in the middle of an "é".
      expect(envelope.eventDescription).toBe('é'.repeat(200_000));
      written.push(envelope.eventId);
      return Promise.resolve('created');
    });

    await spool.onApplicationBootstrap();

    // Three lines of 400 KB reach 1 MiB: the first batch; the second met the outage.
    const [replayFile] = await readdir(join(dataDir, 'spool'));
    const done = await readFile(join(dataDir, 'spool', `${replayFile}.done`), 'utf8');
    expect(Number(done)).toBe(Buffer.byteLength(lines.slice(0, 3).join('')));
    written.length = 0;
    down = false;
    // Twice: the once-a-second replay may have begun (and met the outage) just before.
    await spool.replay();
    await spool.replay();
    expect(written).toEqual(ids.slice(3));
    expect(await readdir(join(dataDir, 'spool'))).toEqual([]);
  });

  it('serves after STARTUP_REPLAY_WAIT_MS while a replay is still waiting on its sink', async () => {
    await writeFile(join(dataDir, 'spool', 'spool.jsonl'), spoolLine('held'));
    let release: () => void = () => undefined;
    spool.replayInto(
      () =>
        new Promise((resolve) => {
          release = () => resolve('created');
        }),
    );
    const started = Date.now();

    await spool.onApplicationBootstrap();

    expect(Date.now() - started).toBeGreaterThanOrEqual(STARTUP_REPLAY_WAIT_MS - 50);
    release();
    await spool.beforeApplicationShutdown();
    expect(await readdir(join(dataDir, 'spool'))).toEqual([]);
  }, 20_000);
});
