import type { IncomingMessage } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

const ROUTE = Symbol('flowflex.route');
type TaggedRequest = IncomingMessage & { [ROUTE]?: string };

/**
 * Request log lines carry the route pattern (`/api/events/:eventId`), not only the URL, so that
 * they group by route. Fastify knows the pattern; pino-http sees only the raw request, so the
 * pattern is copied onto it as soon as the route is matched.
 */
export function registerRequestRoute(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, _reply, done) => {
      (request.raw as TaggedRequest)[ROUTE] = request.routeOptions.url ?? 'unmatched';
      done();
    });
}

export function routeOf(request: IncomingMessage): string | undefined {
  return (request as TaggedRequest)[ROUTE];
}
