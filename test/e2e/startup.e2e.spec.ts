import { migrationsList } from '../../src/database/migrations/index.js';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { startTestApp } from '../support/test-app.js';

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs src/main.ts as `npm start` would, with only the given environment. */
function runMain(env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', '@swc-node/register/esm-register', 'src/main.ts'],
      { env: { PATH: process.env.PATH, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`main.ts did not exit within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('start-up', () => {
  it('stops with a non-zero exit and a message naming each bad configuration value', async () => {
    const result = await runMain({ EVENTS_MAX_RETRY_COUNT: 'many', LOG_LEVEL: 'chatty' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('EVENTS_MAX_RETRY_COUNT=many is invalid');
    expect(result.stderr).toContain('LOG_LEVEL=chatty is invalid');
    expect(result.stderr).not.toMatch(/\s+at /);
  });

  it('stops with one clear line and a non-zero exit when DATABASE_URL is unreachable', async () => {
    const result = await runMain({ DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/none' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'Cannot connect to PostgreSQL at postgres://postgres:***@127.0.0.1:1/none: connect ECONNREFUSED 127.0.0.1:1',
    );
  });

  it('stops with one clear line when DATABASE_URL names a database that does not exist', async () => {
    const url = new URL(process.env.FLOWFLEX_TEST_ADMIN_URL!);
    url.pathname = '/ff_no_such_database';
    const result = await runMain({ DATABASE_URL: url.toString() });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/Cannot connect to PostgreSQL .*ff_no_such_database/);
    expect(result.stderr).toMatch(/does not exist/);
  });

  describe('two instances starting at once on one empty database', () => {
    let db: TestDatabase;
    let apps: NestFastifyApplication[];

    beforeAll(async () => {
      db = await createTestDatabase();
      apps = await Promise.all([startTestApp(db.url), startTestApp(db.url)]);
    });

    afterAll(async () => {
      await Promise.all(apps.map((app) => app.close()));
      await db.drop();
    });

    it('both come up healthy', async () => {
      for (const app of apps) {
        const response = await app.inject({ method: 'GET', url: '/health' });
        expect(response.statusCode).toBe(200);
        expect(response.json()).toMatchObject({
          status: 'ok',
          info: { database: { status: 'up' }, migrations: { status: 'up', pending: [] } },
        });
      }
    });

    it('migrates the schema exactly once', async () => {
      const { rows } = await db.query<{ name: string }>('select name from mikro_orm_migrations');
      expect(rows.map((row) => row.name)).toEqual(
        migrationsList.map((migration) => migration.name),
      );
    });
  });
});

describe('embedded PostgreSQL (no DATABASE_URL)', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'flowflex-embedded-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves /health on an embedded server, stops it on close, and reuses its data', async () => {
    const env = { DATA_DIR: dataDir };
    const first = await startTestApp(undefined, env);
    expect((await first.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    await first
      .get(MikroORM)
      .em.fork()
      .execute(
        `insert into ff_events (event_id, event_type, event_timestamp, aggregate_id,
           aggregate_type, event_data, tenant_id) values ('kept-1', 'T', now(), 1, 'A', '{}', 't')`,
      );
    await first.close();
    // PostgreSQL removes its lock file only on a clean shutdown.
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);

    const second = await startTestApp(undefined, env);
    const rows = await second
      .get(MikroORM)
      .em.fork()
      .execute<{ event_id: string }[]>('select event_id from ff_events');
    await second.close();
    expect(rows.map((row) => row.event_id)).toEqual(['kept-1']);
  });
});
