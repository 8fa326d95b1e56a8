import { BadRequestException } from '@nestjs/common';

/**
 * A place in the stream: the writing transaction's id (xid8) and the row's id, compared in that
 * order. Both are decimal strings (xid8 and bigint exceed JavaScript's safe integers).
 */
export interface StreamPosition {
  readonly txId: string;
  readonly id: string;
}

/** Before every event: where a subscription from the beginning starts. */
export const BEGINNING: StreamPosition = { txId: '0', id: '0' };

/** Clients see a position as an opaque cursor: `<txId>-<id>`, digits only. */
const CURSOR = /^(\d{1,20})-(\d{1,19})$/;

export function encodeCursor(position: StreamPosition): string {
  return `${position.txId}-${position.id}`;
}

/** The position a cursor names, or undefined when the text is not a cursor. */
export function decodeCursor(cursor: string): StreamPosition | undefined {
  const match = CURSOR.exec(cursor);
  if (!match) return undefined;
  const [, txId, id] = match;
  return BigInt(txId) < 2n ** 64n && BigInt(id) < 2n ** 63n
    ? { txId: stripZeros(txId), id: stripZeros(id) }
    : undefined;
}

/** A cursor from a request, or a 400 naming the parameter. */
export function cursorParam(name: string, cursor: string): StreamPosition {
  const position = decodeCursor(cursor);
  if (!position) {
    throw new BadRequestException(
      `${name} must be beginning, now, or a cursor from this stream (digits-digits)`,
    );
  }
  return position;
}

export function comparePositions(a: StreamPosition, b: StreamPosition): number {
  const tx = BigInt(a.txId) - BigInt(b.txId);
  if (tx !== 0n) return tx < 0n ? -1 : 1;
  const id = BigInt(a.id) - BigInt(b.id);
  return id === 0n ? 0 : id < 0n ? -1 : 1;
}

function stripZeros(digits: string): string {
  return digits.replace(/^0+(?=\d)/, '');
}
