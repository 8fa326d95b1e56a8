import type { QueryResult, QueryResultRow } from 'pg';
import type { UnavailableError } from './database-errors.js';
import type { SqlExecutor, SqlPool } from './sql.js';

/** Connections of the pool (POOL_SIZE) that reads never take: the writes' own. */
export const WRITE_CONNECTIONS = 3;

/**
 * The statements of the reads (SPEC §5's queries, statistics, failure groups) on the service's
 * pool, at most `limit` at once, so that the rest of the pool is always there for the writes:
 * ingest, outcome recording, the sweeps. Every read is bounded, but not every read is quick: at
 * ten million events a keyword no trigram narrows (a single digit) reads for seconds, to the
 * query timeout. Twelve of them at once held the connections, and a write waited for one to come
 * free between their statements: 1,293 and 522 ms in two runs, 51 and 246 ms with this limit. A
 * write that waits past the pool's 5 s connection timeout goes to the outage spool. A read past
 * the limit waits here, holding no connection, first come first served, statement by statement
 * (a page of many statements queues for each); one that waits longer than `waitMs` is refused as
 * unavailable (503, retry later). The limit is the service's: a statement whose answer it stopped
 * waiting for (SqlPool's timeout) may run on in PostgreSQL until it ends.
 */
export class ReadPool implements SqlExecutor {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly sql: SqlPool,
    private readonly limit: number,
    private readonly waitMs: number,
  ) {}

  async query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>> {
    await this.acquire();
    try {
      return await this.sql.query<R>(text, values);
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.limit) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const admit = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(admit), 1);
        reject(busy(this.limit, this.waitMs));
      }, this.waitMs);
      this.waiting.push(admit);
    });
  }

  /** The slot goes straight to the longest waiting read, if any: `running` stays as it is. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }
}

function busy(limit: number, waitMs: number): UnavailableError {
  return Object.assign(
    new Error(
      `the service is busy with other reads (${limit} at once) and none finished within ${waitMs} ms`,
    ),
    { unavailable: true as const },
  );
}
