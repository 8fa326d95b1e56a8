import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EventMetrics } from './event.metrics.js';

/**
 * Times every HTTP request, answered or refused (404, 401, 400 included), labelled with the route
 * pattern rather than the URL so that ids and query strings never become label values.
 */
export function registerHttpMetrics(app: NestFastifyApplication): void {
  const metrics = app.get(EventMetrics);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.httpRequest(request.method, route, reply.statusCode, reply.elapsedTime);
      done();
    });
}
