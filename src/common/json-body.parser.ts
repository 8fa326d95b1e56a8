import { BadRequestException, HttpStatus, PayloadTooLargeException } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parseJsonExactly } from './json/exact-json.js';
import { scanJson, type JsonLimits } from './json/json-scan.js';

/** Deeper than this, a body is refused: nothing this service stores needs it. */
export const MAX_JSON_DEPTH = 64;

/** With the u flag a surrogate pair is one character: only an unpaired half matches. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Invalid UTF-8 is an error, not silently replaced by U+FFFD and stored altered. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Replaces Fastify's JSON body parser with one that refuses, with a 4xx that says why and where,
 * what would otherwise stall the process or turn into a 500 after validation: more keys and array
 * items than HTTP_JSON_MAX_ENTRIES (413), nesting deeper than MAX_JSON_DEPTH, NUL characters and
 * unpaired surrogates (which no text or jsonb value holds), numbers outside what PostgreSQL stores,
 * and bytes that are not UTF-8. All of it is found by one scan of the text before anything is
 * built (json-scan.ts), so a refusal costs about a millisecond per megabyte. Numbers are kept
 * exactly (exact-json.ts); `__proto__` and `constructor.prototype` keys are refused as by
 * Fastify's own parser.
 */
export function registerJsonBodyParser(
  app: NestFastifyApplication,
  {
    maxEntries,
    batchRoute,
  }: {
    maxEntries: number;
    /** A route that takes larger bodies: its path and limits. */
    batchRoute: { url: string; bodyLimit: number; maxEntries: number };
  },
): void {
  const limits: JsonLimits = { maxEntries, maxDepth: MAX_JSON_DEPTH };
  const batchLimits: JsonLimits = { maxEntries: batchRoute.maxEntries, maxDepth: MAX_JSON_DEPTH };
  const fastify = app.getHttpAdapter().getInstance();
  // The body size limit is the server's (HTTP_BODY_LIMIT_BYTES), the batch route's its own.
  fastify.addHook('onRoute', (route) => {
    if (route.url === batchRoute.url) route.bodyLimit = batchRoute.bodyLimit;
  });
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = UTF8.decode(typeof body === 'string' ? Buffer.from(body) : body);
    } catch {
      return done(new BadRequestException('the body is not valid UTF-8'));
    }
    if (text.trim() === '') return done(null, undefined);
    const batch = request.routeOptions.url === batchRoute.url;
    const scan = scanJson(text, batch ? batchLimits : limits);
    if (scan.problem !== undefined) {
      return done(
        scan.tooLarge
          ? new PayloadTooLargeException({
              statusCode: HttpStatus.PAYLOAD_TOO_LARGE,
              error: 'Payload Too Large',
              message: `${scan.problem} (${batch ? 'HTTP_BATCH_JSON_MAX_ENTRIES' : 'HTTP_JSON_MAX_ENTRIES'})`,
            })
          : new BadRequestException(scan.problem),
      );
    }
    try {
      return done(null, parseJsonExactly(text, scan.hasInexactNumbers));
    } catch (error) {
      return done(
        new BadRequestException(`the body is not valid JSON: ${(error as Error).message}`),
      );
    }
  });
}

/**
 * Path and query values reach SQL as parameters: a `%00` (NUL, which PostgreSQL refuses in text)
 * or an unpaired surrogate anywhere in the URL would become a 500. Both are refused up front with
 * a 400 naming the parameter.
 */
export function refuseUnstorableUrlText(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('preHandler', (request, reply, done) => {
      for (const part of [request.params, request.query]) {
        if (typeof part !== 'object' || part === null) continue;
        for (const [name, raw] of Object.entries(part)) {
          for (const value of [raw].flat() as unknown[]) {
            if (typeof value !== 'string') continue;
            const problem = value.includes('\u0000')
              ? 'contains a NUL character (%00), which cannot be stored or searched'
              : LONE_SURROGATE.test(value)
                ? 'contains an unpaired surrogate, which is not Unicode text'
                : undefined;
            if (problem) {
              void reply.code(400).send({
                statusCode: 400,
                error: 'Bad Request',
                message: `${name} ${problem}`,
              });
              return;
            }
          }
        }
      }
      done();
    });
}
