import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppModule, type ModuleImport } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { Database } from './database/database.js';
import { createRootLogger } from './logging/root-logger.js';
import { DatabaseUnavailableFilter } from './common/database-unavailable.filter.js';
import { refuseUnstorableUrlText, registerJsonBodyParser } from './common/json-body.parser.js';
import { registerSecurityHeaders } from './common/security-headers.js';
import { registerErrorBodyShape } from './common/error-body.hook.js';
import { StartupRouteLogger } from './logging/startup-route.logger.js';
import { registerConsole } from './console/console.routes.js';
import { DtoValidationPipe } from './common/validation.js';
import { setupOpenApi } from './docs/openapi.js';
import { registerRequestRoute } from './logging/request-route.hook.js';
import { registerHttpMetrics } from './metrics/http-metrics.hook.js';

/**
 * Builds the application: the database first (embedded server, connection check, migrations), then
 * Nest on Fastify. Shared by main.ts and the e2e tests so that both start the same way.
 */
export interface CreateAppOptions {
  /** Modules of the embedding application, e.g. ones that plug in their own event types. */
  readonly imports?: ModuleImport[];
  /** Where log lines go; standard output when absent. */
  readonly logDestination?: DestinationStream;
}

export async function createApp(
  config: AppConfig,
  { imports = [], logDestination }: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const rootLogger = createRootLogger(config, logDestination);
  const database = await Database.open(config, rootLogger.child({ context: 'Database' }));
  try {
    const app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot(config, database, rootLogger, imports),
      // Path parameters up to 1000 characters reach validation, which names the field that is
      // too long; find-my-way's default (100) would answer a bare 414 first.
      new FastifyAdapter({
        bodyLimit: config.bodyLimitBytes,
        routerOptions: { maxParamLength: 1000 },
      }),
      { bufferLogs: true, abortOnError: false, bodyParser: false },
    );
    app.useLogger(new StartupRouteLogger(app.get(Logger)));
    // Nest's own body parser is off (bodyParser: false): this one refuses what cannot be stored.
    registerJsonBodyParser(app, {
      maxEntries: config.jsonMaxEntries,
      batchRoute: {
        url: '/api/events/batch',
        bodyLimit: config.batch.bodyLimitBytes,
        maxEntries: config.batch.jsonMaxEntries,
      },
    });
    refuseUnstorableUrlText(app);
    registerSecurityHeaders(app);
    registerErrorBodyShape(app);
    await registerConsole(app, { pathPrefix: config.pathPrefix });
    app.useGlobalFilters(new DatabaseUnavailableFilter(app.getHttpAdapter()));
    app.useGlobalPipes(new DtoValidationPipe());
    app.setGlobalPrefix('api', { exclude: ['health', 'health/live', 'metrics', 'docs'] });
    setupOpenApi(app);
    registerRequestRoute(app);
    registerHttpMetrics(app);
    // Shutdown hooks let in-flight handlers finish before the database closes on SIGTERM/SIGINT.
    // process.exit after the hooks, rather than re-raising the signal: only an exit runs pino's
    // final flush, so the shutdown's own log lines (database closed, server stopped) are kept.
    app.enableShutdownHooks([], { useProcessExit: true });
    return app;
  } catch (error) {
    await database.onApplicationShutdown();
    throw error;
  }
}
