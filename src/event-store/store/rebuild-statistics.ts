import type { SqlTransactor } from '../../database/sql.js';
import { ALL_TIERS, rebuildStatements } from '../../database/migrations/sql/statistics-rollup.js';

/**
 * Counts every rollup tier again from the stored events (npm run stats:rebuild) and answers how
 * many hourly buckets it made. One transaction holding a SHARE lock on ff_events: reads go on,
 * writers wait, so the counts match the table at one instant and no write is counted twice or
 * lost between the delete and the recount.
 */
export async function rebuildStatistics(sql: SqlTransactor): Promise<number> {
  return sql.transaction(async (tx) => {
    await tx.query('lock table ff_events in share mode');
    for (const statement of rebuildStatements(ALL_TIERS)) await tx.query(statement);
    const { rows } = await tx.query<{ buckets: number }>(
      'select count(*)::int as buckets from ff_event_stats',
    );
    return rows[0].buckets;
  });
}
