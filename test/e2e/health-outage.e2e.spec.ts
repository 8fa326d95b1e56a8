import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EmbeddedPostgresServer } from '../../src/database/embedded-postgres.server.js';
import { startTestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Stops and restarts a PostgreSQL server this test started itself (never the machine's shared
 * one) under a running service.
 */
describe('readiness through a database outage', () => {
  let root: string;
  let dataDir: string;
  let server: EmbeddedPostgresServer;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'flowflex-outage-'));
    dataDir = join(root, 'pg');
    server = await EmbeddedPostgresServer.start({ dataDir, persistent: true });
    await server.createDatabaseIfMissing('outage');
    app = await startTestApp(server.url('outage'), {
      LOG_LEVEL: 'fatal',
      DATA_DIR: join(root, 'service'),
      EVENTS_SPOOL_MAX_BYTES: '4096',
    });
  });

  afterAll(async () => {
    await app?.close();
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('turns 503 when PostgreSQL stops and 200 when it is back, spooling appends meanwhile; liveness stays 200', async () => {
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);

    await server.stop();
    const down = await app.inject({ url: '/health' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({
      status: 'error',
      error: { database: { status: 'down' }, migrations: { status: 'down' } },
    });
    expect((await app.inject({ url: '/health/live' })).statusCode).toBe(200);

    // An event appended now is kept on disk and accepted; one the spool cannot take is refused
    // with 503 and Retry-After. Reads that need the database answer 503 too.
    const event = (eventId: string, size: number) => ({
      method: 'POST' as const,
      url: '/api/events',
      payload: {
        eventId,
        eventType: 'T',
        aggregateId: 1,
        aggregateType: 'A',
        eventData: { text: 'x'.repeat(size) },
      },
    });
    const spooled = await app.inject(event('during-outage', 10));
    expect(spooled.statusCode).toBe(202);
    expect(spooled.json()).toEqual({ eventId: 'during-outage', status: 'spooled' });
    const refused = await app.inject(event('too-big-for-the-spool', 5_000));
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.json()).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect((await app.inject({ url: '/api/events' })).statusCode).toBe(503);
    // A batch goes the same way: each event spooled, or 503 when the spool cannot take them.
    const batch = (ids: string[], size: number) => ({
      method: 'POST' as const,
      url: '/api/events/batch',
      payload: { events: ids.map((id) => event(id, size).payload) },
    });
    const spooledBatch = await app.inject(batch(['batch-1', 'batch-2'], 10));
    expect(spooledBatch.statusCode).toBe(200);
    expect(spooledBatch.json()).toMatchObject({ created: 0, spooled: 2, rejected: 0 });
    expect(spooledBatch.json<{ items: { status: string }[] }>().items.map((i) => i.status)).toEqual(
      ['spooled', 'spooled'],
    );
    const refusedBatch = await app.inject(batch(['batch-big-1', 'batch-big-2'], 5_000));
    expect(refusedBatch.statusCode).toBe(503);

    server = await EmbeddedPostgresServer.start({ dataDir, persistent: true, port: server.port });
    const up = await waitFor(
      async () => {
        const response = await app.inject({ url: '/health' });
        return response.statusCode === 200 ? response : undefined;
      },
      'readiness to return',
      30_000,
    );
    expect(up.json()).toMatchObject({ status: 'ok' });
    // The spooled events are written once the database is back; the refused ones never were.
    const stored = await waitFor(async () => {
      const response = await app.inject({ url: '/api/events?eventType=T' });
      const ids = response.json<{ items: { eventId: string }[] }>().items.map((e) => e.eventId);
      return ids.length >= 3 ? ids.sort() : undefined;
    }, 'the spooled events to be written');
    expect(stored).toEqual(['batch-1', 'batch-2', 'during-outage']);
    expect((await app.inject(event('after-outage', 10))).statusCode).toBe(201);
  });
});
