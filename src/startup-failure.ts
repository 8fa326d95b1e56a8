import { ConfigError } from './config/app-config.js';
import { DatabaseUnavailableError } from './database/database.js';

/**
 * Ends a process that could not start. Expected failures (bad configuration, database not
 * reachable) print one line an operator can act on; anything else prints its stack.
 */
export function exitWithStartupFailure(error: unknown): never {
  if (error instanceof ConfigError || error instanceof DatabaseUnavailableError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
}
