import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { EventView } from '../../event-store/http/event.view.js';
import type { StreamFilter } from '../store/read-stream.js';
import { encodeCursor, type StreamPosition } from '../stream-position.js';
import type { StreamPage } from '../store/read-stream.js';

type Stored = StreamPage['events'][number];

/**
 * One Server-Sent Events response: what it follows, where it is in the stream, and its socket.
 * Writes never queue without bound: when the socket's buffer is full the client stops taking
 * events (the caller pauses reading for it) until it drains, and a client that does not drain
 * within the stall limit is disconnected.
 */
export class StreamClient {
  private closedFlag = false;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly response: ServerResponse,
    readonly filter: StreamFilter & { readonly tenantId: string },
    /** Everything matching the filter up to here has been sent. */
    public position: StreamPosition,
    private readonly stallMs: number,
    heartbeatMs: number,
    private readonly onClose: () => void,
  ) {
    this.heartbeat = setInterval(() => this.writeRaw(': keep-alive\n\n'), heartbeatMs);
    response.once('close', () => this.finish());
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  matches(event: Stored): boolean {
    const { tenantId, eventTypes, aggregateType, aggregateId } = this.filter;
    return (
      event.tenant_id === tenantId &&
      (eventTypes === undefined ||
        eventTypes.length === 0 ||
        eventTypes.includes(event.event_type)) &&
      (aggregateType === undefined || event.aggregate_type === aggregateType) &&
      (aggregateId === undefined || event.aggregate_id === aggregateId)
    );
  }

  /**
   * Writes one event; true while the socket takes more. False means its buffer is full: stop
   * sending and call drained() before sending again.
   */
  write(event: Stored): boolean {
    const cursor = encodeCursor(event.position);
    this.position = event.position;
    // An event type is free text: a line break in it would end the field.
    const type = event.event_type.replace(/[\r\n]/g, ' ');
    const data = JSON.stringify(EventView.fromRow(event));
    return this.writeRaw(`id: ${cursor}\nevent: ${type}\ndata: ${data}\n\n`);
  }

  /** Resolves true once the socket has drained, false when the client stalled or left. */
  async drained(): Promise<boolean> {
    if (this.closedFlag) return false;
    if (!this.response.writableNeedDrain) return true;
    const stalled = AbortSignal.timeout(this.stallMs);
    try {
      await once(this.response, 'drain', { signal: stalled });
      return !this.closedFlag;
    } catch {
      this.close();
      return false;
    }
  }

  /** Ends the response (shutdown, stall); the client may reconnect with Last-Event-ID. */
  close(comment?: string): void {
    if (this.closedFlag) return;
    if (comment) this.writeRaw(`: ${comment}\n\n`);
    this.response.end();
    this.finish();
  }

  private writeRaw(text: string): boolean {
    if (this.closedFlag || this.response.writableEnded) return false;
    return this.response.write(text);
  }

  private finish(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    clearInterval(this.heartbeat);
    if (!this.response.writableEnded) this.response.destroy();
    this.onClose();
  }
}
