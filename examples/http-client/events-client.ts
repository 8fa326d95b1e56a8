/**
 * Appending and reading events from another service with nothing but fetch (Node 18+ or a
 * browser). Run by test/e2e/example-module.e2e.spec.ts against a live service.
 */
export interface StoredEvent {
  eventId: string;
  eventType: string;
  eventStatus: 'Published' | 'Processed' | 'Failed' | 'Retry';
  /** int64: a number while it is a safe integer, a decimal string beyond. */
  aggregateId: number | string;
  eventData: Record<string, unknown>;
}

export class EventsClient {
  constructor(
    private readonly baseUrl: string,
    /** Authorization: Bearer <key> when the service has API_KEYS; otherwise the tenant header. */
    private readonly auth: { apiKey: string } | { tenant: string },
  ) {}

  private headers(json = false): Record<string, string> {
    return {
      ...('apiKey' in this.auth
        ? { authorization: `Bearer ${this.auth.apiKey}` }
        : { 'x-tenant-id': this.auth.tenant }),
      ...(json ? { 'content-type': 'application/json' } : {}),
    };
  }

  /** Appends one event; safe to retry with the same eventId (the second answer is a replay). */
  async append(event: {
    eventId: string;
    eventType: string;
    aggregateType: string;
    aggregateId: number | string;
    eventData: Record<string, unknown>;
  }): Promise<{ event: StoredEvent; replayed: boolean }> {
    const response = await fetch(`${this.baseUrl}/api/events`, {
      method: 'POST',
      headers: this.headers(true),
      body: JSON.stringify(event),
    });
    if (response.status !== 201 && response.status !== 200) {
      const error = (await response.json()) as { message: string };
      throw new Error(`append failed with ${response.status}: ${error.message}`);
    }
    return {
      event: (await response.json()) as StoredEvent,
      replayed: response.headers.get('idempotent-replayed') === 'true',
    };
  }

  /** Every event of an aggregate, oldest first, following nextCursor page by page. */
  async *aggregate(
    aggregateType: string,
    aggregateId: number | string,
  ): AsyncGenerator<StoredEvent> {
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({
        aggregateType,
        aggregateId: String(aggregateId),
        sortOrder: 'asc',
        pageSize: '100',
        ...(cursor ? { cursor } : {}),
      });
      const response = await fetch(`${this.baseUrl}/api/events?${query.toString()}`, {
        headers: this.headers(),
      });
      const page = (await response.json()) as { items: StoredEvent[]; nextCursor: string | null };
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor !== null);
  }
}
