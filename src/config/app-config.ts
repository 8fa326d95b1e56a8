import { isIP } from 'node:net';
import { resolve } from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

export type LogFormat = 'json' | 'pretty';
const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

/** Tenant `*` marks an operator key: it may act for any tenant and alone may run cleanup. */
export interface ApiKey {
  readonly key: string;
  readonly tenant: string;
}

export interface EventsConfig {
  readonly maxRetryCount: number;
  readonly retrySweepIntervalMs: number;
  readonly stuckTimeoutMs: number;
  readonly retentionDays: number;
  readonly retentionSweepIntervalMs: number;
  /** Undefined: soft-deleted rows are never purged. */
  readonly purgeAfterDays: number | undefined;
  /** A processing handler still running after this long counts as failed (it may hang). */
  readonly handlerTimeoutMs: number;
  /** Events one retry-sweep claim takes at a time. */
  readonly retryBatchSize: number;
  /** Rows one retention statement soft-deletes or purges at a time. */
  readonly cleanupBatchSize: number;
  /** Disk the outage spool may use under DATA_DIR/spool; past it, events are lost (logged). */
  readonly spoolMaxBytes: number;
  /**
   * How long a new event may wait for its insert to commit before it is kept in the outage spool
   * instead (and acknowledged from there): a hung database never holds a publisher longer.
   */
  readonly writeTimeoutMs: number;
}

export interface StreamConfig {
  /** Readers read again at least this often, whatever NOTIFY says. */
  readonly pollIntervalMs: number;
  /** Open Server-Sent Events streams past which new ones are refused with 503. */
  readonly maxClients: number;
  /** A stream client that has not taken its data for this long is disconnected. */
  readonly clientStallMs: number;
  /** Every this often an open stream gets a comment line, so that proxies keep it open. */
  readonly heartbeatMs: number;
  /** How long a subscription's lease lasts without a heartbeat. */
  readonly leaseMs: number;
}

/** Lists every bad variable at once, each with what it accepts, so one restart fixes them all. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * The service's configuration, read from the environment once at start-up. Nothing else reads
 * process.env; the README's configuration table lists the same variables.
 */
export class AppConfig {
  private constructor(
    /** Undefined: start the embedded PostgreSQL under {@link dataDir}. */
    readonly databaseUrl: string | undefined,
    readonly port: number,
    readonly host: string,
    /** Larger request bodies are refused with 413. */
    readonly bodyLimitBytes: number,
    /** JSON bodies with more keys and array items than this are refused with 413. */
    readonly jsonMaxEntries: number,
    /** The batch route's limits: its bodies carry up to 1000 events. */
    readonly batch: { readonly bodyLimitBytes: number; readonly jsonMaxEntries: number },
    readonly dataDir: string,
    /** A statement without an answer after this long fails, and its connection is replaced. */
    readonly queryTimeoutMs: number,
    readonly apiKeys: readonly ApiKey[],
    readonly events: EventsConfig,
    readonly stream: StreamConfig,
    readonly logLevel: LogLevel,
    /** json for machines (the default); pretty for a person at a terminal. */
    readonly logFormat: LogFormat,
    /** The path a reverse proxy serves the service under ('' at the root), for the console. */
    readonly pathPrefix: string,
  ) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): AppConfig {
    const reader = new EnvReader(env);
    const config = new AppConfig(
      reader.url('DATABASE_URL'),
      reader.integer('PORT', 3000, 0, 65_535),
      reader.host('HOST', '0.0.0.0'),
      reader.integer('HTTP_BODY_LIMIT_BYTES', 1_048_576, 1_024, 104_857_600),
      reader.integer('HTTP_JSON_MAX_ENTRIES', 20_000, 100, 10_000_000),
      {
        bodyLimitBytes: reader.integer(
          'HTTP_BATCH_BODY_LIMIT_BYTES',
          16_777_216,
          1_024,
          1_073_741_824,
        ),
        jsonMaxEntries: reader.integer('HTTP_BATCH_JSON_MAX_ENTRIES', 200_000, 100, 100_000_000),
      },
      resolve(reader.string('DATA_DIR', '.data')),
      reader.integer('DATABASE_QUERY_TIMEOUT_MS', 5_000, 100, 3_600_000),
      reader.apiKeys('API_KEYS'),
      {
        maxRetryCount: reader.integer('EVENTS_MAX_RETRY_COUNT', 3, 0, 20),
        retrySweepIntervalMs: reader.integer('EVENTS_RETRY_SWEEP_INTERVAL_MS', 30_000, 100),
        stuckTimeoutMs: reader.integer('EVENTS_STUCK_TIMEOUT_MS', 600_000, 1_000),
        retentionDays: reader.integer('EVENTS_RETENTION_DAYS', 90, 1, 36_500),
        retentionSweepIntervalMs: reader.integer(
          'EVENTS_RETENTION_SWEEP_INTERVAL_MS',
          3_600_000,
          1_000,
        ),
        purgeAfterDays: reader.optionalInteger('EVENTS_PURGE_AFTER_DAYS', 1, 36_500),
        handlerTimeoutMs: reader.integer('EVENTS_HANDLER_TIMEOUT_MS', 30_000, 100),
        retryBatchSize: reader.integer('EVENTS_RETRY_BATCH_SIZE', 50, 1, 1_000),
        cleanupBatchSize: reader.integer('EVENTS_CLEANUP_BATCH_SIZE', 5_000, 10, 100_000),
        spoolMaxBytes: reader.integer('EVENTS_SPOOL_MAX_BYTES', 268_435_456, 1_024, 1e12),
        writeTimeoutMs: reader.integer('EVENTS_WRITE_TIMEOUT_MS', 3_000, 100, 600_000),
      },
      {
        pollIntervalMs: reader.integer('STREAM_POLL_INTERVAL_MS', 1_000, 50, 60_000),
        maxClients: reader.integer('STREAM_MAX_CLIENTS', 200, 1, 100_000),
        clientStallMs: reader.integer('STREAM_CLIENT_STALL_MS', 30_000, 100, 3_600_000),
        heartbeatMs: reader.integer('STREAM_HEARTBEAT_MS', 15_000, 100, 3_600_000),
        leaseMs: reader.integer('SUBSCRIPTION_LEASE_MS', 30_000, 1_000, 3_600_000),
      },
      reader.oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
      reader.oneOf('LOG_FORMAT', 'json', LOG_FORMATS),
      reader.pathPrefix('HTTP_PATH_PREFIX'),
    );
    // A handler may legitimately run for the whole handler timeout; only after that can its event
    // be called abandoned, or the retry sweep would run it a second time alongside the first.
    reader.check(
      config.events.stuckTimeoutMs > config.events.handlerTimeoutMs,
      `EVENTS_STUCK_TIMEOUT_MS (${config.events.stuckTimeoutMs}) must be greater than EVENTS_HANDLER_TIMEOUT_MS (${config.events.handlerTimeoutMs})`,
    );
    reader.throwIfInvalid();
    return config;
  }
}

class EnvReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  check(condition: boolean, problem: string): void {
    if (!condition) this.problems.push(problem);
  }

  throwIfInvalid(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  /** '' or a path such as /events or /ops/events, without a trailing slash. */
  pathPrefix(name: string): string {
    const value = this.raw(name)?.replace(/\/+$/, '');
    if (value === undefined || value === '') return '';
    if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(value)) {
      this.problems.push(
        `${name}=${value} is invalid; expected a path of URL-safe segments such as /events`,
      );
      return '';
    }
    return value;
  }

  /** An IP address or a host name (RFC 1123 labels); whether it is this machine's, listen says. */
  host(name: string, fallback: string): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const label = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
    const valid =
      isIP(value) !== 0 || (value.length <= 253 && value.split('.').every((l) => label.test(l)));
    if (!valid) {
      this.problems.push(
        `${name}=${value} is invalid; expected an IP address or a host name, e.g. 0.0.0.0 or localhost`,
      );
      return fallback;
    }
    return value;
  }

  url(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    let protocol: string;
    try {
      protocol = new URL(value).protocol;
    } catch {
      this.problems.push(`${name} is not a URL; expected postgres://user:password@host:port/db`);
      return undefined;
    }
    if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
      this.problems.push(`${name} must start with postgres:// or postgresql://, got ${protocol}//`);
    }
    return value;
  }

  optionalInteger(name: string, min: number, max: number): number | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.problems.push(
        `${name}=${value} is invalid; expected a whole number from ${min} to ${max}`,
      );
      return undefined;
    }
    return Number(value);
  }

  integer(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    return this.optionalInteger(name, min, max) ?? fallback;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.problems.push(`${name}=${value} is invalid; expected one of ${allowed.join(', ')}`);
      return fallback;
    }
    return value as T;
  }

  apiKeys(name: string): ApiKey[] {
    const value = this.raw(name);
    if (value === undefined) return [];
    const keys: ApiKey[] = [];
    for (const [index, pair] of value.split(',').entries()) {
      const separator = pair.lastIndexOf(':');
      const key = pair.slice(0, separator).trim();
      const tenant = pair.slice(separator + 1).trim();
      // The key itself never goes into a message: it is a secret.
      if (separator < 0 || key === '' || tenant === '') {
        this.problems.push(
          `${name} entry ${index + 1} is invalid; expected comma-separated key:tenant pairs (tenant * for an operator key)`,
        );
      } else if (tenant.length > 50) {
        this.problems.push(`${name} entry ${index + 1} names a tenant longer than 50 characters`);
      } else if (keys.some((k) => k.key === key)) {
        this.problems.push(`${name} entry ${index + 1} repeats an earlier key`);
      } else {
        keys.push({ key, tenant });
      }
    }
    return keys;
  }
}
