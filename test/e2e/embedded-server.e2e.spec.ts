import { readFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { startService, type ServiceProcess } from '../support/service-process.js';
import { waitFor } from '../support/wait-for.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const postmasterPid = async (dataDir: string) =>
  Number((await readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
const modeOf = async (path: string) => (await stat(path)).mode & 0o7777;

/**
 * The embedded PostgreSQL as `npm start` runs it without DATABASE_URL: from a private directory
 * (as a checkout in /root or in `mktemp -d` is), supervised, and never left behind.
 */
describe('the embedded PostgreSQL', () => {
  let parent: string;
  let dataDir: string;
  const services: ServiceProcess[] = [];
  const start = async (env: NodeJS.ProcessEnv = {}) => {
    const service = await startService({ DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env }, 120_000);
    services.push(service);
    return service;
  };

  beforeAll(async () => {
    // mkdtemp makes the directory 0700: no other user may pass through it.
    parent = await mkdtemp(join(tmpdir(), 'flowflex-private-'));
    dataDir = join(parent, 'data');
  });

  afterAll(async () => {
    for (const service of services) await service.stop('SIGKILL');
    const pid = await postmasterPid(dataDir).catch(() => undefined);
    if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
    await rm(parent, { recursive: true, force: true });
  });

  it(`runs from a private directory${userInfo().uid === 0 ? ' as root' : ''} and changes no directory's mode outside DATA_DIR`, async () => {
    const before = { parent: await modeOf(parent), tmp: await modeOf(tmpdir()) };
    expect(before.parent).toBe(0o700);
    const service = await start();
    expect((await fetch(`http://127.0.0.1:${service.port}/health`)).status).toBe(200);
    expect({ parent: await modeOf(parent), tmp: await modeOf(tmpdir()) }).toEqual(before);
    const started = await waitFor(
      () =>
        Promise.resolve(
          service
            .output()
            .split('\n')
            .filter((line) => line.startsWith('{'))
            .map((line) => JSON.parse(line) as { msg?: string; url?: string })
            .find((line) => line.msg === 'embedded PostgreSQL started'),
        ),
      'the embedded server to be logged with its URL',
    );
    expect(started.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/flowflex$/);
    expect(service.output()).not.toContain('postgres:postgres@');
  });

  it('restarts the embedded server when it dies, and the service recovers by itself', async () => {
    const service = services[0];
    const base = `http://127.0.0.1:${service.port}`;
    const first = await postmasterPid(dataDir);
    process.kill(first, 'SIGKILL');
    await waitFor(
      async () => ((await fetch(`${base}/health`)).status === 503 ? true : undefined),
      'readiness to notice',
    );
    await waitFor(
      async () => ((await fetch(`${base}/health`)).status === 200 ? true : undefined),
      'the service to recover',
      60_000,
    );
    expect(await postmasterPid(dataDir)).not.toBe(first);
    const write = await fetch(`${base}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        eventType: 'Noted',
        aggregateId: 1,
        aggregateType: 'Note',
        eventData: {},
      }),
    });
    expect(write.status).toBe(201);
    expect(service.output()).toMatch(/the embedded PostgreSQL exited with .*; restarting it/);
    expect(service.output()).toMatch(/the embedded PostgreSQL is running again/);
  });

  it('adopts a server left running by a killed process, says so, and stops it at shutdown', async () => {
    const killed = services[0];
    const pid = await postmasterPid(dataDir);
    await killed.stop('SIGKILL');
    expect(alive(pid)).toBe(true);

    const next = await start();
    await waitFor(
      () => Promise.resolve(/embedded PostgreSQL adopted/.test(next.output()) ? true : undefined),
      'the adoption to be logged',
    );
    expect(await next.stop('SIGTERM')).not.toBe(1);
    await waitFor(
      () => Promise.resolve(alive(pid) ? undefined : true),
      'the adopted server to stop',
    );
    expect(next.output()).toMatch(
      /embedded server stopped \(it had been adopted from an earlier process\)/,
    );
  });
});
