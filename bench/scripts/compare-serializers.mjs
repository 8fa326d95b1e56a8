// Times a compiled serializer (fast-json-stringify, what Fastify compiles from a response schema)
// against JSON.stringify on the service's own answers: the EventView of POST /api/events and the
// BatchResultView of POST /api/events/batch, their schemas taken from the running service's
// OpenAPI description.
//   npm start   (another terminal), then
//   node_modules/.bin/node bench/scripts/compare-serializers.mjs [http://localhost:3000] [tenant]
// Without API_KEYS the service takes X-Tenant-Id; with them, pass a key as API_KEY.
import assert from 'node:assert';
import fastJsonStringify from 'fast-json-stringify';
// The benchmark's ingest event; built by npm start (its prestart builds dist/).
import { INGEST_EVENT } from '../../dist/bench/lib/http-ingest.js';

const base = process.argv[2] ?? 'http://localhost:3000';
const tenant = process.argv[3] ?? 'serializer-bench';
const headers = {
  'content-type': 'application/json',
  ...(process.env.API_KEY
    ? { authorization: `Bearer ${process.env.API_KEY}` }
    : { 'x-tenant-id': tenant }),
};

const document = await (await fetch(`${base}/docs-json`)).json();
/** A component schema with every $ref inlined, as fast-json-stringify takes it. */
const inline = (schema) => {
  if (Array.isArray(schema)) return schema.map(inline);
  if (schema === null || typeof schema !== 'object') return schema;
  if (schema.$ref) return inline(document.components.schemas[schema.$ref.split('/').pop()]);
  const { nullable, ...rest } = schema;
  // OpenAPI 3.0's nullable of a oneOf (int64 ids) is, in JSON Schema, one more alternative.
  if (nullable && rest.oneOf) return inline({ ...rest, oneOf: [...rest.oneOf, { type: 'null' }] });
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, inline(value)]));
};

const post = async (path, body) => {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return response.json();
};
const event = (n) => ({ ...INGEST_EVENT, eventId: `serializer-${Date.now()}-${n}` });

const answers = {
  'POST /api/events (EventView)': {
    body: await post('/api/events', event(0)),
    schema: inline(document.components.schemas.EventView),
  },
  'POST /api/events/batch of 100 (BatchResultView)': {
    body: await post('/api/events/batch', {
      events: Array.from({ length: 100 }, (_, n) => event(n + 1)),
    }),
    schema: inline(document.components.schemas.BatchResultView),
  },
};

/** Microseconds per call, the best of five rounds (the least disturbed by the machine's noise). */
const time = (serialize, value) => {
  const rounds = [];
  for (let round = 0; round < 5; round += 1) {
    const started = performance.now();
    for (let i = 0; i < 50_000; i += 1) serialize(value);
    rounds.push(((performance.now() - started) * 1000) / 50_000);
  }
  return Math.min(...rounds);
};

for (const [name, { body, schema }] of Object.entries(answers)) {
  const compiled = fastJsonStringify(schema);
  // The same answer (fast-json-stringify writes a oneOf property last: order aside).
  assert.deepStrictEqual(JSON.parse(compiled(body)), body, name);
  const plain = time(JSON.stringify, body);
  const fast = time(compiled, body);
  console.log(
    `${name}: JSON.stringify ${plain.toFixed(2)} µs, compiled ${fast.toFixed(2)} µs ` +
      `(${(plain / fast).toFixed(2)}× as fast)`,
  );
}
