import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { PROJECT_ROOT } from '../common/project-root.js';

/** Where `npm run build` puts the console (vite build of console/). */
export const CONSOLE_DIR = join(PROJECT_ROOT, 'dist', 'console');

/** The <base> of the built page (console/index.html), replaced per request. */
const BASE_TAG = /<base href="\/console\/"\s*\/?>/;

/** A path prefix a proxy may serve the service under: segments of URL-safe characters. */
const PREFIX = /^(\/[A-Za-z0-9._~-]+)*$/;

/**
 * The console's own policy, stricter than the API's: its scripts and styles are files of this
 * origin (no inline style blocks), and it talks to this origin only.
 */
const CONSOLE_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the operations console at /console: hashed assets with immutable caching, gzip and
 * brotli files made at build time, and one HTML page for every console path (its router reads
 * the path), whose <base> carries the prefix a proxy serves us under, so that the same build
 * works at /console and at /any/prefix/console. The page needs no key: the API calls it makes do.
 */
export async function registerConsole(
  app: NestFastifyApplication,
  { pathPrefix }: { pathPrefix: string },
): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  const indexFile = join(CONSOLE_DIR, 'index.html');
  const page = existsSync(indexFile) ? readFileSync(indexFile, 'utf8') : undefined;

  if (page !== undefined) {
    await fastify.register(fastifyStatic, {
      root: join(CONSOLE_DIR, 'assets'),
      prefix: '/console/assets/',
      decorateReply: false,
      preCompressed: true,
      immutable: true,
      maxAge: '365d',
      index: false,
      wildcard: true,
    });
  }

  const serve = async (request: FastifyRequest, reply: import('fastify').FastifyReply) => {
    void reply.header('content-security-policy', CONSOLE_CSP);
    void reply.header('vary', 'x-forwarded-prefix');
    if (page === undefined) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The console is not built: run `npm run build` (npm start does), then reload.\n');
    }
    const base = `${prefixOf(request, pathPrefix)}/console/`;
    return reply
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(page.replace(BASE_TAG, `<base href="${base}" />`));
  };
  fastify.get('/console', serve);
  fastify.get('/console/', serve);
  // Every other console path is a page of the app (deep links survive a reload).
  fastify.get('/console/*', serve);
}

function prefixOf(request: FastifyRequest, configured: string): string {
  const header = request.headers['x-forwarded-prefix'];
  if (typeof header === 'string') {
    const trimmed = header.replace(/\/+$/, '');
    if (PREFIX.test(trimmed)) return trimmed;
  }
  return configured;
}
