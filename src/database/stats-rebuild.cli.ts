import 'reflect-metadata';
import { AppConfig } from '../config/app-config.js';
import { createRootLogger } from '../logging/root-logger.js';
import { exitWithStartupFailure } from '../startup-failure.js';
import { Database } from './database.js';
import { ALL_TIERS, rebuildStatements } from './migrations/sql/statistics-rollup.js';

/**
 * `npm run stats:rebuild`: counts the statistics rollups again from every stored event (after a
 * restore, or a hand edit with the triggers disabled). Reads go on meanwhile; writers wait for it
 * (SHARE lock on ff_events), so the counts match the table at one instant.
 */
async function main(): Promise<void> {
  const config = AppConfig.fromEnv();
  const logger = createRootLogger(config).child({ context: 'stats:rebuild' });
  const database = await Database.open(config, logger);
  try {
    const started = performance.now();
    await database.sql.transaction(async (tx) => {
      await tx.query('lock table ff_events in share mode');
      for (const statement of rebuildStatements(ALL_TIERS)) await tx.query(statement);
    });
    const [{ buckets }] = (
      await database.sql.query<{ buckets: number }>(
        'select count(*)::int as buckets from ff_event_stats',
      )
    ).rows;
    logger.info(
      { buckets, durationMs: Math.round(performance.now() - started) },
      'statistics rebuilt from the stored events',
    );
  } finally {
    await database.onApplicationShutdown();
  }
}

main().catch(exitWithStartupFailure);
