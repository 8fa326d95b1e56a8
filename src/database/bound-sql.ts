import type { EntityManager } from '@mikro-orm/postgresql';
import { CompiledQuery, type Kysely } from 'kysely';

/**
 * A statement whose values travel as bind parameters ($1, $2, ...). MikroORM's execute() inlines
 * every value into the SQL text, escaping it character by character in JavaScript; for the write
 * path, whose one parameter is a JSON batch of hundreds of kilobytes, that escaping was the
 * largest CPU cost after garbage collection. Kysely is the driver layer MikroORM 7 runs on, so
 * this takes the same pooled connections and joins the EntityManager's transaction when there is
 * one.
 */
export class BoundSql {
  private readonly text: string;

  constructor(sql: string) {
    let position = 0;
    this.text = sql.replace(/\?/g, () => `$${++position}`);
  }

  async run<R>(em: EntityManager, params: readonly unknown[]): Promise<R[]> {
    // A transaction is a Kysely instance too; the rows are what the statement returns.
    const executor: Kysely<unknown> =
      em.getTransactionContext<Kysely<unknown>>() ?? em.getConnection().getClient<unknown>();
    const result = await executor.executeQuery<R>(CompiledQuery.raw(this.text, [...params]));
    return result.rows;
  }
}
