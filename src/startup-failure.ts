import { ConfigError } from './config/app-config.js';
import { DatabaseUnavailableError } from './database/database.js';

/** The HTTP server could not listen where it was told to; the message says why in one line. */
export class ListenError extends Error {
  override name = 'ListenError';

  static from(error: unknown, host: string, port: number): Error {
    const code = (error as { code?: unknown }).code;
    const where = `${host}:${port}`;
    switch (code) {
      case 'EADDRINUSE':
        return new ListenError(
          `Cannot listen on ${where}: the port is in use by another process; set PORT to a free one`,
        );
      case 'EACCES':
        return new ListenError(
          `Cannot listen on ${where}: permission denied (ports below 1024 need privileges); set PORT`,
        );
      case 'EADDRNOTAVAIL':
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return new ListenError(
          `Cannot listen on ${where}: HOST is not an address of this machine; set HOST, e.g. 0.0.0.0`,
        );
      default:
        return error instanceof Error ? error : new Error(String(error));
    }
  }
}

/**
 * Ends a process that could not start. Expected failures (bad configuration, database not
 * reachable) print one line an operator can act on; anything else prints its stack.
 */
export function exitWithStartupFailure(error: unknown): never {
  if (
    error instanceof ConfigError ||
    error instanceof DatabaseUnavailableError ||
    error instanceof ListenError
  ) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
}
