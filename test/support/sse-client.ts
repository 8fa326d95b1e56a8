/** One Server-Sent Events message as a browser's EventSource would see it. */
export interface SseMessage {
  readonly id: string;
  readonly event: string;
  readonly data: { eventId: string; tenantId: string; eventType: string } & Record<string, unknown>;
}

/**
 * A client of GET /api/events/stream over a real socket, parsing the stream as EventSource does;
 * it keeps every message and can stop reading (to test a stalled client) or close.
 */
export class SseClient {
  readonly messages: SseMessage[] = [];
  status = 0;
  headers = new Headers();
  private readonly abort = new AbortController();
  private reading: Promise<void> = Promise.resolve();
  private closed = false;

  static async open(
    url: string,
    headers: Record<string, string> = {},
    { read = true }: { read?: boolean } = {},
  ): Promise<SseClient> {
    const client = new SseClient();
    const response = await fetch(url, { headers, signal: client.abort.signal });
    client.status = response.status;
    client.headers = response.headers;
    if (response.ok && response.body && read) client.reading = client.read(response.body);
    else if (!response.ok) await response.text().catch(() => undefined);
    return client;
  }

  /** Resolves once at least `count` messages arrived. */
  async waitFor(count: number, timeoutMs = 30_000): Promise<SseMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      if (Date.now() > deadline || this.closed) {
        throw new Error(`got ${this.messages.length} of ${count} stream messages`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.messages;
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.reading.catch(() => undefined);
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':') || line === '') continue;
            const colon = line.indexOf(':');
            fields[line.slice(0, colon)] = line.slice(colon + 1).replace(/^ /, '');
          }
          if (fields.data !== undefined) {
            this.messages.push({
              id: fields.id,
              event: fields.event,
              data: JSON.parse(fields.data) as SseMessage['data'],
            });
          }
        }
      }
    } finally {
      this.closed = true;
    }
  }
}
