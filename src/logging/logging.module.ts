import { Module, RequestMethod, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { routeOf } from './request-route.hook.js';

const QUIET_PATHS = new Set(['/health', '/health/live', '/metrics']);

/** Nest, request and service logs all go through the root pino logger. */
@Module({})
export class LoggingModule {
  static forRoot(rootLogger: Logger): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            logger: rootLogger,
            // Probes and scrapes come every few seconds; their lines would drown the useful ones.
            // originalUrl: the middleware runs mounted on a path, which Fastify strips from url.
            autoLogging: {
              ignore: (req) =>
                QUIET_PATHS.has(
                  ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0],
                ),
            },
            // The route pattern, set by the request-route hook once Fastify has matched it.
            customProps: (req) => ({ route: routeOf(req) }),
          },
          renameContext: 'context',
          // Mounted once, on every route. nestjs-pino's default also mounts it again on each
          // path excluded from the /api prefix (health, metrics, docs), which logged those twice.
          forRoutes: [{ path: '{/*splat}', method: RequestMethod.ALL }],
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
