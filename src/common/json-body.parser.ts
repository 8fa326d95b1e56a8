import { BadRequestException } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import secureJson from 'secure-json-parse';

/** Deeper than this, a body is refused: nothing this service stores needs it, and serialising it would overflow the stack. */
export const MAX_JSON_DEPTH = 64;

/** Invalid UTF-8 is an error, not silently replaced by U+FFFD and stored altered. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Replaces Fastify's JSON body parser with one that also refuses, with a 400 that says why, what
 * PostgreSQL or the serialiser would otherwise turn into a 500 after validation: NUL characters
 * (`\\u0000`, which jsonb and text columns cannot hold), nesting deeper than MAX_JSON_DEPTH, and
 * bytes that are not UTF-8.
 * `__proto__` and `constructor.prototype` keys are refused as by Fastify's own parser.
 */
export function registerJsonBodyParser(app: NestFastifyApplication, bodyLimit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit },
    (_request, body, done) => {
      let text: string;
      try {
        text = UTF8.decode(typeof body === 'string' ? Buffer.from(body) : body);
      } catch {
        return done(new BadRequestException('the body is not valid UTF-8'));
      }
      if (text.trim() === '') return done(null, undefined);
      let value: unknown;
      try {
        value = secureJson.parse(text, undefined, {
          protoAction: 'error',
          constructorAction: 'error',
        });
      } catch (error) {
        return done(
          new BadRequestException(`the body is not valid JSON: ${(error as Error).message}`),
        );
      }
      const problem = inspect(value, text.includes('\\u0000'));
      return problem ? done(new BadRequestException(problem)) : done(null, value);
    },
  );
}

/** Walks the value without recursion, so that its depth cannot overflow the stack here. */
function inspect(root: unknown, mayHoldNul: boolean): string | undefined {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value === 'string') {
      if (mayHoldNul && value.includes('\u0000')) {
        return 'the body contains a NUL character (\\u0000), which cannot be stored';
      }
    } else if (typeof value === 'object' && value !== null) {
      if (depth > MAX_JSON_DEPTH) {
        return `the body is nested more than ${MAX_JSON_DEPTH} levels deep`;
      }
      for (const [key, child] of Object.entries(value)) {
        if (mayHoldNul && key.includes('\u0000')) {
          return 'the body contains a NUL character (\\u0000), which cannot be stored';
        }
        stack.push([child, depth + 1]);
      }
    }
  }
  return undefined;
}

/**
 * Path and query values reach SQL as parameters, and PostgreSQL refuses a NUL byte in text: a
 * `%00` anywhere in the URL would become a 500. It is refused up front with a 400 instead (found
 * by the property-based hostile-input test).
 */
export function refuseNulInUrl(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('preHandler', (request, reply, done) => {
      const values = [request.params, request.query].flatMap((part: unknown): unknown[] =>
        typeof part === 'object' && part !== null ? Object.values(part).flat() : [],
      );
      if (values.some((value) => typeof value === 'string' && value.includes('\u0000'))) {
        void reply.code(400).send({
          statusCode: 400,
          error: 'Bad Request',
          message: 'the URL contains a NUL character (%00), which cannot be stored or searched',
        });
        return;
      }
      done();
    });
}
