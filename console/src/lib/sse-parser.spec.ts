import { describe, expect, it } from '@jest/globals';
import { SseParser } from './sse-parser.js';

describe('the live tail reading Server-Sent Events', () => {
  it('yields each message once it is complete, however the chunks split it', () => {
    const text =
      ': connected\nretry: 3000\n\nid: c1\nevent: InvoicePaid\ndata: {"a":1}\n\n: keep-alive\n\nid: c2\r\nevent: Noted\r\ndata: x\r\ndata: y\r\n\r\n';
    for (const size of [1, 3, 7, text.length]) {
      const parser = new SseParser();
      const messages = [];
      for (let i = 0; i < text.length; i += size)
        messages.push(...parser.push(text.slice(i, i + size)));
      expect(messages).toEqual([
        { id: 'c1', event: 'InvoicePaid', data: '{"a":1}' },
        { id: 'c2', event: 'Noted', data: 'x\ny' },
      ]);
    }
  });

  it('keeps the last id for messages without one, and skips messages without data', () => {
    const parser = new SseParser();
    expect(parser.push('id: c9\nevent: A\n\ndata: z\n\n')).toEqual([
      { id: 'c9', event: 'message', data: 'z' },
    ]);
  });
});
