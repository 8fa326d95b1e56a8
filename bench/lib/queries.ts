import { encodePageCursor } from '../../src/event-store/queries/page-cursor.js';
import { percentile, round } from './stats.js';

export interface RouteLatency {
  readonly route: string;
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Items in the last response, or its total for paged ones: shows the query found rows. */
  readonly found: number;
  /** Requests answered other than 2xx (their latency counted all the same), and the first. */
  readonly failures: number;
  readonly firstFailure?: string;
  /** The slowest requests, slowest first: which ones make the p99. */
  readonly slowest: readonly { readonly path: string; readonly ms: number }[];
}

/** Slowest requests a route's result names. */
const SLOWEST_NAMED = 5;

type Request = (k: number) => { path: string; tenant: string };

const tenantOf = (k: number) => `tenant-${k % 10}`;
/** Type<n> rows belong to tenant n % 10 (both follow the row number); every 5th is another type. */
const typeNumber = (k: number) => (((k % 49) + 1) % 5 === 0 ? (k % 49) + 2 : (k % 49) + 1);
const json = (value: object) => encodeURIComponent(JSON.stringify(value));

/** Every GET route of SPEC §9, the paged query once per filter; k varies the parameters. */
export function routes(total: number): Record<string, Request> {
  return {
    'by type (30 days)': (k) => ({
      path: `/api/events/types/Type${typeNumber(k)}?days=30`,
      tenant: tenantOf(typeNumber(k)),
    }),
    'by aggregate': (k) => {
      const aggregate = 1_000_000 + ((k * 7919) % Math.min(50_000, total));
      return {
        path: `/api/events/aggregates/Onboarding/${aggregate}`,
        tenant: tenantOf(aggregate),
      };
    },
    'one event': (k) => {
      const i = (k * 104_729) % total;
      return { path: `/api/events/hist-${i}`, tenant: tenantOf(i) };
    },
    'page, no filter': (k) => ({ path: '/api/events?pageSize=20', tenant: tenantOf(k) }),
    'page, deep (page 500)': (k) => ({
      path: '/api/events?pageSize=20&pageIndex=500',
      tenant: tenantOf(k),
    }),
    'page, by cursor (deep)': (k) => {
      // A nextCursor as a client holds it after paging back to some day of the 90.
      const at = new Date(Date.now() - ((k * 7) % 85) * 86_400_000).toISOString();
      const cursor = encodePageCursor({
        sortField: 'eventTimestamp',
        sortOrder: 'desc',
        value: at,
        id: '9223372036854775807',
      });
      return { path: `/api/events?pageSize=20&cursor=${cursor}`, tenant: tenantOf(k) };
    },
    'page, eventType': (k) => ({
      path: `/api/events?eventType=Type${typeNumber(k)}`,
      tenant: tenantOf(typeNumber(k)),
    }),
    'page, eventStatus': (k) => ({ path: '/api/events?eventStatus=Failed', tenant: tenantOf(k) }),
    'page, eventSource': (k) => ({ path: '/api/events?eventSource=Portal', tenant: tenantOf(k) }),
    'page, aggregate': (k) => {
      const aggregate = 1_000_000 + ((k * 7919) % Math.min(50_000, total));
      return {
        path: `/api/events?aggregateId=${aggregate}&aggregateType=Onboarding`,
        tenant: tenantOf(aggregate),
      };
    },
    'page, related entity': (k) => ({
      path: `/api/events?relatedEntityId=${(k % 12) + 1}&relatedEntityType=Stage`,
      tenant: tenantOf(k),
    }),
    'page, eventId': (k) => {
      const i = (k * 104_729) % total;
      return { path: `/api/events?eventId=hist-${i}`, tenant: tenantOf(i) };
    },
    'page, date range (1 day)': (k) => {
      const end = new Date(Date.now() - (k % 80) * 86_400_000);
      const start = new Date(end.getTime() - 86_400_000);
      return {
        path: `/api/events?startDate=${start.toISOString()}&endDate=${end.toISOString()}`,
        tenant: tenantOf(k),
      };
    },
    'page, days=7': (k) => ({ path: '/api/events?days=7', tenant: tenantOf(k) }),
    'page, tags (common)': (k) => ({
      path: `/api/events?tags=stage-${k % 12}`,
      tenant: tenantOf(k),
    }),
    'page, tags (rare)': (k) => ({
      path: `/api/events?tags=t${k % 97},stage-${k % 12}`,
      tenant: tenantOf(k),
    }),
    'page, requiresRetry': (k) => ({ path: '/api/events?requiresRetry=true', tenant: tenantOf(k) }),
    'page, keyword': (k) => ({
      path: `/api/events?keyword=onboarding%20${(k * 7) % total}`,
      tenant: tenantOf(k),
    }),
    'page, data (common)': (k) => ({
      path: `/api/events?data=${json({ businessContext: { region: 'EU' } })}`,
      tenant: tenantOf(k),
    }),
    'page, data (rare)': (k) => {
      const i = (k * 104_729) % total;
      return { path: `/api/events?data=${json({ leadId: `lead-${i}` })}`, tenant: tenantOf(i) };
    },
    'statistics (7 days)': (k) => ({ path: '/api/events/statistics?days=7', tenant: tenantOf(k) }),
    'statistics (30 days)': (k) => ({
      path: '/api/events/statistics?days=30',
      tenant: tenantOf(k),
    }),
    'statistics (90 days)': (k) => ({
      path: '/api/events/statistics?days=90',
      tenant: tenantOf(k),
    }),
    failed: (k) => ({ path: '/api/events/failed', tenant: tenantOf(k) }),
  };
}

/** Latency of each route over `samples` sequential requests, after a few warm-up ones. */
export async function measureRoutes(
  baseUrl: string,
  samples: number,
  total: number,
  only?: RegExp,
): Promise<RouteLatency[]> {
  const results: RouteLatency[] = [];
  for (const [route, request] of Object.entries(routes(total))) {
    if (only && !only.test(route)) continue;
    const times: number[] = [];
    const timed: { path: string; ms: number }[] = [];
    let found = 0;
    let failures = 0;
    let firstFailure: string | undefined;
    for (let k = -3; k < samples; k += 1) {
      const { path, tenant } = request(Math.abs(k) + 1);
      const started = performance.now();
      const response = await fetch(`${baseUrl}${path}`, { headers: { 'x-tenant-id': tenant } });
      const body = (await response.json()) as { items?: unknown[]; total?: number } | unknown[];
      const ms = performance.now() - started;
      if (k >= 0) {
        times.push(ms);
        timed.push({ path: `${path} (${tenant})`, ms: round(ms) });
      }
      if (!response.ok) {
        // Measured and reported rather than fatal: one slow request must not void the run.
        failures += 1;
        firstFailure ??= `${path} answered ${response.status} after ${Math.round(ms)} ms`;
        continue;
      }
      found = Array.isArray(body) ? body.length : (body.total ?? body.items?.length ?? 1);
    }
    times.sort((a, b) => a - b);
    results.push({
      route,
      samples,
      p50Ms: percentile(times, 50),
      p99Ms: percentile(times, 99),
      found,
      failures,
      firstFailure,
      slowest: timed.sort((a, b) => b.ms - a.ms).slice(0, SLOWEST_NAMED),
    });
  }
  return results;
}
