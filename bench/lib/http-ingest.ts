import autocannon from 'autocannon';
import { startService } from './service.js';

export interface HttpIngestResult {
  readonly requests: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly stored: number;
  readonly maxRssMb: number;
}

/** POST /api/events from `connections` concurrent clients for `seconds`; each request a new event. */
export async function httpIngest(
  databaseUrl: string,
  seconds: number,
  connections: number,
  countStored: () => Promise<number>,
): Promise<HttpIngestResult> {
  const service = await startService({ DATABASE_URL: databaseUrl });
  try {
    const body = JSON.stringify({
      eventType: 'CustomerNoted',
      aggregateId: 4242,
      aggregateType: 'Customer',
      eventSource: 'Api',
      eventData: {
        customerId: 4242,
        note: 'Called back about the onboarding documents; all received.',
        context: { region: 'EU', channel: 'phone', notes: 'x'.repeat(600) },
      },
      eventTags: ['crm', 'callback'],
      eventDescription: 'Customer called back',
    });
    const result = await autocannon({
      url: `${service.url}/api/events`,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tenant-id': 'bench' },
      body,
      connections,
      duration: seconds,
    });
    return {
      requests: result.requests.total,
      perSecond: result['2xx'] / result.duration,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
      stored: await countStored(),
      maxRssMb: await service.peakRssMb(),
    };
  } finally {
    await service.stop();
  }
}
