import type { LoggerService } from '@nestjs/common';

/**
 * Nest's logger, minus the RoutesResolver lines: they print each controller under the global
 * prefix even when the controller is excluded from it (`{/api/metrics}` for a route served at
 * /metrics). The RouterExplorer lines that follow give each route's real path.
 */
export class StartupRouteLogger implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...rest: unknown[]): void {
    if (rest[rest.length - 1] === 'RoutesResolver') return;
    this.inner.log(message, ...rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.inner.error(message, ...rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.inner.warn(message, ...rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.inner.debug?.(message, ...rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.inner.verbose?.(message, ...rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.inner.fatal?.(message, ...rest);
  }
}
