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
    app = await startTestApp(server.url('outage'), { LOG_LEVEL: 'fatal' });
  });

  afterAll(async () => {
    await app?.close();
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('turns 503 (with Retry-After on the API) when PostgreSQL stops and 200 again when it is back, while liveness stays 200', async () => {
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);

    await server.stop();
    const down = await app.inject({ url: '/health' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({
      status: 'error',
      error: { database: { status: 'down' }, migrations: { status: 'down' } },
    });
    expect((await app.inject({ url: '/health/live' })).statusCode).toBe(200);

    // Requests that need the database say so and when to come back; nothing is acknowledged.
    const append = await app.inject({
      method: 'POST',
      url: '/api/events',
      payload: { eventType: 'T', aggregateId: 1, aggregateType: 'A', eventData: {} },
    });
    expect(append.statusCode).toBe(503);
    expect(append.headers['retry-after']).toBe('5');
    expect(append.json()).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect((await app.inject({ url: '/api/events' })).statusCode).toBe(503);

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
    const afterwards = await app.inject({
      method: 'POST',
      url: '/api/events',
      payload: { eventType: 'T', aggregateId: 1, aggregateType: 'A', eventData: {} },
    });
    expect(afterwards.statusCode).toBe(201);
  });
});
