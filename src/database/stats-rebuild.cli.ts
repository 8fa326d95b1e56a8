import 'reflect-metadata';
import { AppConfig } from '../config/app-config.js';
import { createRootLogger } from '../logging/root-logger.js';
import { exitWithStartupFailure } from '../startup-failure.js';
import { Database } from './database.js';
import { rebuildStatistics } from '../event-store/store/rebuild-statistics.js';

/**
 * `npm run stats:rebuild`: counts the statistics rollups again from every stored event (after a
 * restore, or a hand edit with the triggers disabled). See rebuildStatistics.
 */
async function main(): Promise<void> {
  const config = AppConfig.fromEnv();
  const logger = createRootLogger(config).child({ context: 'stats:rebuild' });
  // The one statement that reads every event, where parallel workers pay (see SqlPool's serialPlans).
  const database = await Database.open(config, logger, { serialPlans: false });
  try {
    const started = performance.now();
    const buckets = await rebuildStatistics(database.sql);
    logger.info(
      { buckets, durationMs: Math.round(performance.now() - started) },
      'statistics rebuilt from the stored events',
    );
  } finally {
    await database.onApplicationShutdown();
  }
}

main().catch(exitWithStartupFailure);
