import 'reflect-metadata';
import { AppConfig, ConfigError } from '../config/app-config.js';
import { createRootLogger } from '../logging/root-logger.js';
import { exitWithStartupFailure } from '../startup-failure.js';
import { Database } from './database.js';
import { migrateDown, migrateUp } from './migration-runner.js';

/**
 * `npm run migration:up|down|status`: the same database choice and advisory lock as start-up, so
 * the command is safe while instances of the service are starting.
 */
async function main(direction: string | undefined): Promise<void> {
  if (direction !== 'up' && direction !== 'down' && direction !== 'status') {
    throw new ConfigError([
      `migration command must be up, down or status, got ${String(direction)}`,
    ]);
  }
  const config = AppConfig.fromEnv();
  const logger = createRootLogger(config).child({ context: 'migrate' });
  // Migrations backfill from every event, where parallel workers pay (see SqlPool's serialPlans).
  const database = await Database.open(config, logger, { migrate: false, serialPlans: false });
  try {
    if (direction === 'status') {
      const executed = (await database.orm.migrator.getExecuted()).map((m) => m.name);
      const pending = (await database.orm.migrator.getPending()).map((m) => m.name);
      logger.info({ executed, pending }, `${executed.length} applied, ${pending.length} pending`);
      return;
    }
    const names =
      direction === 'up' ? await migrateUp(database.orm) : await migrateDown(database.orm);
    if (names.length > 0) {
      logger.info({ migrations: names }, direction === 'up' ? 'applied' : 'reverted');
    } else {
      logger.info(direction === 'up' ? 'no pending migrations' : 'no applied migration to revert');
    }
  } finally {
    await database.onApplicationShutdown();
  }
}

main(process.argv[2]).catch(exitWithStartupFailure);
