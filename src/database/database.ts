import { join } from 'node:path';
import type { OnApplicationShutdown } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/app-config.js';
import { EmbeddedPostgresServer } from './embedded-postgres.server.js';
import { migrateUp, pendingMigrations } from './migration-runner.js';
import { ormConfig, POOL_SIZE } from './orm.config.js';
import { SqlPool } from './sql.js';
import { ReadPool, WRITE_CONNECTIONS } from './read-pool.js';

/** Raised when the database cannot be reached or used at start-up; its message is one line. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

export interface DatabaseHealth {
  readonly reachable: boolean;
  readonly pendingMigrations: readonly string[];
  readonly error?: string;
}

/**
 * The service's database: DATABASE_URL when configured, otherwise an embedded PostgreSQL with its
 * data under DATA_DIR. Opened (and migrated) before Nest starts, so that a bad database stops
 * start-up with one clear line; closed after every other provider has shut down.
 *
 * Statements run on the ORM's node-postgres pool through {@link sql}, never through the ORM's own
 * transactions (see SqlPool for why). The ORM itself runs the migrations.
 */
export class Database implements OnApplicationShutdown {
  private constructor(
    readonly orm: MikroORM,
    readonly sql: SqlPool,
    /** The reads' share of {@link sql}. */
    readonly reads: ReadPool,
    /** The connection URL (with its password): for the stream's dedicated LISTEN connection. */
    readonly url: string,
    private readonly embedded: EmbeddedPostgresServer | undefined,
    private readonly logger: Logger,
  ) {}

  static async open(
    config: AppConfig,
    logger: Logger,
    { migrate = true, serialPlans = true }: { migrate?: boolean; serialPlans?: boolean } = {},
  ): Promise<Database> {
    let url = config.databaseUrl;
    let embedded: EmbeddedPostgresServer | undefined;
    if (url === undefined) {
      embedded = await startEmbedded(config, logger);
      url = embedded.url(EMBEDDED_DATABASE);
    }
    let orm: MikroORM | undefined;
    try {
      const clientUrl = url;
      orm = await MikroORM.init(ormConfig(clientUrl)).catch((error: unknown) => {
        throw unavailable(clientUrl, error);
      });
      // init() only configures; connect and ask, so a bad server fails here and not mid-request.
      await orm.connect().catch((error: unknown) => {
        throw unavailable(clientUrl, error);
      });
      const connection = await orm.checkConnection();
      if (!connection.ok) throw unavailable(clientUrl, connection.error ?? connection.reason);
      if (migrate) {
        const applied = await migrateUp(orm);
        logger.info(
          { migrations: applied },
          applied.length > 0 ? 'applied migrations' : 'schema up to date',
        );
      }
      const pool = await orm.em.getConnection().getNativeClient();
      const sql = new SqlPool(pool, config.queryTimeoutMs, { serialPlans });
      // A read waits for a connection no longer than a statement may run.
      const reads = new ReadPool(sql, POOL_SIZE - WRITE_CONNECTIONS, config.queryTimeoutMs);
      return new Database(orm, sql, reads, clientUrl, embedded, logger);
    } catch (error) {
      await orm?.close();
      await embedded?.stop();
      throw error;
    }
  }

  async health(): Promise<DatabaseHealth> {
    try {
      await this.sql.query('select 1');
      return { reachable: true, pendingMigrations: await pendingMigrations(this.orm) };
    } catch (error) {
      return { reachable: false, pendingMigrations: [], error: messageOf(error) };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.orm.close();
    await this.embedded?.stop();
    if (!this.embedded) {
      this.logger.info('database closed');
    } else {
      this.logger.info(
        this.embedded.startedHere
          ? 'database closed, embedded server stopped'
          : 'database closed, embedded server stopped (it had been adopted from an earlier process)',
      );
    }
  }
}

const EMBEDDED_DATABASE = 'flowflex';

async function startEmbedded(config: AppConfig, logger: Logger) {
  const dataDir = join(config.dataDir, 'postgres');
  logger.info({ dataDir }, 'DATABASE_URL not set: starting embedded PostgreSQL');
  try {
    const server = await EmbeddedPostgresServer.start({
      dataDir,
      persistent: true,
      onLog: (message) => logger.debug({ postgres: message.trim() }, 'embedded server output'),
      onEvent: (message, fields) => logger.warn(fields ?? {}, message),
    });
    await server.createDatabaseIfMissing(EMBEDDED_DATABASE);
    // Where to reach it with psql; the password is in the README, not in the logs.
    logger.info(
      { url: server.redactedUrl(EMBEDDED_DATABASE), port: server.port, dataDir },
      server.startedHere
        ? 'embedded PostgreSQL started'
        : 'embedded PostgreSQL adopted: it was left running by an earlier process',
    );
    return server;
  } catch (error) {
    throw new DatabaseUnavailableError(
      `Cannot start the embedded PostgreSQL in ${dataDir}: ${messageOf(error)}`,
    );
  }
}

function unavailable(url: string, cause: unknown): DatabaseUnavailableError {
  return new DatabaseUnavailableError(
    `Cannot connect to PostgreSQL at ${redact(url)}: ${messageOf(cause)}`,
  );
}

/** The URL without its password, fit for a log line. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return messageOf(error.errors[0] as unknown);
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
