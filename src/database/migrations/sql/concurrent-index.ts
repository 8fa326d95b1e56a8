import { Migration } from '@mikro-orm/migrations';

/**
 * Builds index `name` on ff_events (`definition`: what follows the table) CONCURRENTLY, so reads
 * and writes go on meanwhile, unless a valid one is there. An interrupted build leaves an invalid
 * index behind, which PostgreSQL keeps writing but never reads: it is dropped and built again.
 * The migration calling it is not transactional (CONCURRENTLY cannot run in a transaction).
 */
export async function buildIndexConcurrently(
  migration: Pick<Migration, 'execute'>,
  name: string,
  definition: string,
): Promise<void> {
  const [left] = await migration.execute(
    'select i.indisvalid as valid from pg_index as i where i.indexrelid = to_regclass(?)',
    [name],
  );
  if ((left as { valid?: boolean } | undefined)?.valid === true) return;
  if (left) await migration.execute(`drop index concurrently ${name}`);
  await migration.execute(`create index concurrently ${name} on ff_events ${definition}`);
}

/**
 * A migration that adds one index of ff_events online: up builds it (buildIndexConcurrently),
 * down drops it CONCURRENTLY. Outside a transaction, which CONCURRENTLY requires.
 */
export abstract class ConcurrentIndexMigration extends Migration {
  /** The index's name. */
  protected abstract readonly index: string;
  /** What follows `on ff_events` in its definition. */
  protected abstract readonly definition: string;

  override isTransactional(): boolean {
    return false;
  }

  override async up(): Promise<void> {
    await buildIndexConcurrently(this, this.index, this.definition);
  }

  override async down(): Promise<void> {
    await this.execute(`drop index concurrently if exists ${this.index}`);
  }
}
