import 'reflect-metadata';
import { ConsoleLogger } from '@nestjs/common';
import { AppConfig, ConfigError } from '../config/app-config.js';
import { nestLogLevels } from '../logging/nest-log-levels.js';
import { exitWithStartupFailure } from '../startup-failure.js';
import { Database } from './database.js';
import { migrateDown, migrateUp } from './migration-runner.js';

/**
 * `npm run migration:up|down`: the same database choice and advisory lock as start-up, so the
 * command is safe while instances of the service are starting.
 */
async function main(direction: string | undefined): Promise<void> {
  if (direction !== 'up' && direction !== 'down') {
    throw new ConfigError([`migration direction must be up or down, got ${String(direction)}`]);
  }
  const config = AppConfig.fromEnv();
  const logger = new ConsoleLogger('migrate', { logLevels: nestLogLevels(config.logLevel) });
  const database = await Database.open(config, logger, { migrate: false });
  try {
    const names =
      direction === 'up' ? await migrateUp(database.orm) : await migrateDown(database.orm);
    if (names.length > 0) {
      logger.log(`${direction === 'up' ? 'applied' : 'reverted'}: ${names.join(', ')}`);
    } else {
      logger.log(direction === 'up' ? 'no pending migrations' : 'no applied migration to revert');
    }
  } finally {
    await database.onApplicationShutdown();
  }
}

main(process.argv[2]).catch(exitWithStartupFailure);
