import pg, { type Pool, type QueryConfig, type QueryResult, type QueryResultRow } from 'pg';
import { parseJsonFromPostgres } from '../common/json/exact-json.js';

/**
 * Runs one statement: the Database (a pooled connection, the statement its own transaction) or
 * the client of a transaction in progress (Database.transaction).
 */
export interface SqlExecutor {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/**
 * A statement whose values travel as bind parameters ($1, $2, ...), written with `?` where each
 * goes. This is the one way the service runs SQL: on node-postgres directly, so that a JSON batch
 * of hundreds of kilobytes is sent as a parameter rather than escaped into the text, and so that a
 * connection that fails mid-transaction is destroyed rather than leaked (see Database).
 */
export class BoundSql {
  readonly text: string;

  constructor(sql: string) {
    let position = 0;
    this.text = sql.replace(/\?/g, () => `$${++position}`);
  }

  async run<R extends QueryResultRow>(
    executor: SqlExecutor,
    params: readonly unknown[],
  ): Promise<R[]> {
    return (await executor.query<R>(this.text, [...params])).rows;
  }
}

/** An executor that can also run several statements in one transaction. */
export interface SqlTransactor extends SqlExecutor {
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

/**
 * The node-postgres pool the service runs its statements on (the ORM's own, see Database).
 * Transactions are run here rather than through the ORM: MikroORM 7 runs them on Kysely's
 * controlled transactions, which never release a connection whose COMMIT or ROLLBACK fails, so
 * each transaction cut by an outage leaked a pooled connection until the pool ran dry (found by
 * the outage test: shutdown waited forever for the leaked connections).
 */
export class SqlPool implements SqlTransactor {
  /** Connections whose session plans serially (see serialPlans). */
  private readonly serial = new WeakSet<pg.PoolClient>();

  /**
   * `queryTimeoutMs`: a statement with no answer after this long rejects (pg's query_timeout) and
   * its connection is destroyed, not returned: a network that stops passing bytes without closing
   * anything (a partition, a failover behind a virtual IP) must not hold callers, or the pool's
   * connections, for as long as it lasts.
   *
   * `serialPlans`: every statement the service runs reads or writes at most a few thousand rows
   * along an index (pages, counts capped, claims, batches), so parallel workers cannot save more
   * than they cost to start: at ten million events their Gather took 100-185 ms over scans of
   * 1-20 ms on the benchmark's machine (bench/results/explain-misses-10m-before.txt), where the
   * planner, expecting ~500 rows per tenant-day, chose a Parallel Append of day slices; with
   * them off, none of the statements over 45 ms in the next 10M run was parallel, and tags (rare)
   * went from p99 157 ms to 24 (bench/results/explain-misses-10m.txt). Each connection
   * turns them off for its session before its first statement here. A session setting, not a
   * startup `options` parameter, which PgBouncer refuses; behind a pooler it needs session
   * pooling, as the stream's LISTEN does.
   */
  constructor(
    private readonly pool: Pool,
    private readonly queryTimeoutMs: number,
    private readonly options: { readonly serialPlans: boolean },
  ) {
    // json and jsonb come back with their numbers exact, as they went in (see exact-json.ts).
    const types = (pool.options as { types?: pg.CustomTypesConfig }).types;
    const target = types && 'setTypeParser' in types ? (types as typeof pg.types) : pg.types;
    target.setTypeParser(pg.types.builtins.JSON, parseJsonFromPostgres);
    target.setTypeParser(pg.types.builtins.JSONB, parseJsonFromPostgres);
  }

  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>> {
    return this.onConnection((client) => client.query<R>(this.statement(text, values)));
  }

  /**
   * Runs `work` in one transaction on one connection; commits when it resolves. On any error the
   * connection is destroyed rather than rolled back and returned: PostgreSQL rolls back a
   * transaction whose connection closes, and a connection that just failed may be broken.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.onConnection(async (client) => {
      const tx: SqlExecutor = {
        query: <R extends QueryResultRow>(text: string, values?: unknown[]) =>
          client.query<R>(this.statement(text, values)),
      };
      await tx.query('begin');
      const result = await work(tx);
      await tx.query('commit');
      return result;
    });
  }

  /**
   * `work` on a pooled connection, its session set first (see serialPlans): returned to the pool
   * when `work` resolves, destroyed when it fails (as pool.query does).
   */
  private async onConnection<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      if (this.options.serialPlans && !this.serial.has(client)) {
        await client.query(this.statement('set max_parallel_workers_per_gather = 0', undefined));
        this.serial.add(client);
      }
      const result = await work(client);
      client.release();
      return result;
    } catch (error) {
      client.release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }

  /** pg reads query_timeout from a query's config too; @types/pg lists it for clients only. */
  private statement(
    text: string,
    values: unknown[] | undefined,
  ): QueryConfig & { query_timeout: number } {
    return { text, values, query_timeout: this.queryTimeoutMs };
  }
}
