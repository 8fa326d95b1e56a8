/** One Server-Sent Events message: its id, event name and data lines joined. */
export interface SseMessage {
  readonly id?: string;
  readonly event: string;
  readonly data: string;
}

/**
 * Parses a text/event-stream as it arrives in chunks (WHATWG HTML §9.2.6): fields per line,
 * messages ended by a blank line, comment lines (heartbeats) skipped. The console reads the stream
 * with fetch rather than EventSource because EventSource cannot send an Authorization header.
 */
export class SseParser {
  private buffer = '';
  private id: string | undefined;
  private event = 'message';
  private data: string[] = [];

  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const messages: SseMessage[] = [];
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\r|\n/)) !== -1) {
      // A CR that ends the chunk may be the first half of a CRLF: wait for the next chunk.
      if (newline === this.buffer.length - 1 && this.buffer.endsWith('\r')) break;
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith('\r\n', newline) ? 2 : 1;
      this.buffer = this.buffer.slice(newline + width);
      if (line === '') {
        if (this.data.length > 0) {
          messages.push({
            ...(this.id === undefined ? {} : { id: this.id }),
            event: this.event,
            data: this.data.join('\n'),
          });
        }
        this.event = 'message';
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.data.push(value);
      else if (field === 'event') this.event = value;
      else if (field === 'id' && !value.includes('\0')) this.id = value;
    }
    return messages;
  }
}
