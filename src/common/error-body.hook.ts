import { STATUS_CODES } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * Every error answer is `{statusCode, error, message}` (SPEC §9), including those Fastify makes
 * itself before a route runs (413 body too large, 415 unsupported content type), which carry no
 * `error`: it is added from the status code. Only error answers are looked at.
 */
export function registerErrorBodyShape(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (reply.statusCode < 400 || typeof payload !== 'string') return done(null, payload);
    const type = reply.getHeader('content-type');
    if (typeof type !== 'string' || !type.includes('application/json')) {
      return done(null, payload);
    }
    let body: unknown;
    try {
      body = JSON.parse(payload);
    } catch {
      return done(null, payload);
    }
    if (typeof body !== 'object' || body === null || 'error' in body) return done(null, payload);
    const shaped = {
      statusCode: reply.statusCode,
      error: STATUS_CODES[reply.statusCode] ?? 'Error',
      ...body,
    };
    return done(null, JSON.stringify(shaped));
  });
}
