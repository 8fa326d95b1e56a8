import helmet from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * The Content-Security-Policy of every answer. The API answers JSON, which a policy does not
 * affect; the one page, the OpenAPI UI at /docs, loads its scripts and styles from this origin
 * (its page carries a <style> block and Swagger UI sets style attributes, hence the inline styles)
 * and fetches /docs-json. Nothing may frame the service.
 */
const CONTENT_SECURITY_POLICY = {
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
 * Security headers on every answer, by @fastify/helmet (nosniff, frame options, a CSP, and the
 * rest of its defaults); `Cache-Control: no-store` on API answers, which carry tenants' events
 * and must not sit in shared caches; and /docs narrowed to the files its page needs.
 */
export async function registerSecurityHeaders(app: NestFastifyApplication): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    frameguard: { action: 'deny' },
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
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
