import { parseArgs } from 'node:util';
import pg from 'pg';
import { measureRoutes } from './lib/queries.js';
import { seededHistory } from './lib/seed.js';
import { startService } from './lib/service.js';

/**
 * npm run bench:routes -- --database-url URL [--routes REGEX]: the GET routes'
 * latencies alone, against a history `npm run bench -- --only seed --keep` left (the service
 * started on it as the bench starts it), to try a change to the read path in minutes. A table
 * read before is warmer than a fresh one (hint bits set, pages cached): the bench's own first
 * run on a kept history is the figure to quote.
 */
const { values: options } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    'query-samples': { type: 'string', default: '200' },
    routes: { type: 'string' },
  },
});
const url = options['database-url'];
if (url === undefined) throw new Error('--database-url is required');
// The requests name events of the history by number: its size is the one its seed recorded.
const pool = new pg.Pool({ connectionString: url, max: 1 });
const history = await seededHistory({
  url,
  query: async <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) =>
    (await pool.query<R>(sql, params)).rows,
}).finally(() => pool.end());
if (history === undefined) throw new Error(`${url} holds no history bench --keep seeded`);
const events = history.rows;
const service = await startService({
  DATABASE_URL: url,
  EVENTS_RETRY_SWEEP_INTERVAL_MS: '3600000',
  EVENTS_RETENTION_SWEEP_INTERVAL_MS: '3600000',
});
try {
  const routes = await measureRoutes(
    service.url,
    Number(options['query-samples']),
    events,
    options.routes === undefined ? undefined : new RegExp(options.routes),
  );
  for (const route of routes) {
    process.stdout.write(
      `${route.route.padEnd(28)} p50 ${route.p50Ms.toFixed(1)} ms, p99 ${route.p99Ms.toFixed(1)} ms (${route.found} found, ${route.failures} failed${route.firstFailure ? `: ${route.firstFailure}` : ''})\n`,
    );
  }
} finally {
  await service.stop();
}
