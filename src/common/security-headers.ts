import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The Content-Security-Policy of every answer. The API answers JSON, which a policy does not
 * affect; the one page, the OpenAPI UI at /docs, loads its scripts and styles from this origin
 * (its page carries a <style> block and Swagger UI sets style attributes, hence the inline styles)
 * and fetches /docs-json. Nothing may frame the service.
 */
const CONTENT_SECURITY_POLICY: HelmetOptions['contentSecurityPolicy'] = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    baseUri: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

/** The files of swagger-ui-dist the page at /docs loads; the package's other files stay unserved. */
const DOCS_FILES = new Set([
  '/docs',
  '/docs/',
  '/docs/index.html',
  '/docs/swagger-ui.css',
  '/docs/swagger-ui-bundle.js',
  '/docs/swagger-ui-standalone-preset.js',
  '/docs/swagger-ui-init.js',
  '/docs/favicon-16x16.png',
  '/docs/favicon-32x32.png',
]);

/**
 * helmet's headers for these options (nosniff, frame options, the CSP and the rest of its
 * defaults), worked out once. They depend on nothing in the request, and building them is not
 * free: @fastify/helmet built the helmet middleware again for every request, parsing the CSP
 * each time, which was 2.8% of the service's CPU under a POST /api/events load.
 */
function helmetHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: () => undefined,
  } as unknown as ServerResponse;
  helmet({ contentSecurityPolicy: CONTENT_SECURITY_POLICY, frameguard: { action: 'deny' } })(
    {} as IncomingMessage,
    response,
    // helmet 8 throws a bad option at once rather than passing it on.
    () => undefined,
  );
  return headers;
}

/**
 * Security headers on every answer: helmet's, and `Cache-Control: no-store` on API answers, which
 * carry tenants' events and must not sit in shared caches; and /docs narrowed to the files its
 * page needs.
 */
export function registerSecurityHeaders(app: NestFastifyApplication): void {
  const headers = helmetHeaders();
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(headers);
    const path = request.url.split('?')[0];
    if (path.startsWith('/docs/') && !DOCS_FILES.has(path)) {
      void reply
        .code(404)
        .send({ statusCode: 404, error: 'Not Found', message: `${path} not found` });
      return;
    }
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (request.url.startsWith('/api/') || request.url === '/api') {
      void reply.header('cache-control', 'no-store');
    }
    done(null, payload);
  });
}
