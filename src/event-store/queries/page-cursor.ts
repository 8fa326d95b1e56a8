import { BadRequestException } from '@nestjs/common';
import type { SortField, SortOrder } from './event-query.js';

/**
 * Where a keyset page starts: after the row with this sort value and id, for this sort. Opaque to
 * clients (base64url of JSON); a cursor only continues the sort it was made for.
 */
export interface PageCursor {
  readonly sortField: SortField;
  readonly sortOrder: SortOrder;
  /** The last row's sort column, as PostgreSQL printed it (a timestamp keeps its microseconds). */
  readonly value: string;
  readonly id: string;
}

export function encodePageCursor(cursor: PageCursor): string {
  return Buffer.from(
    JSON.stringify([cursor.sortField, cursor.sortOrder, cursor.value, cursor.id]),
  ).toString('base64url');
}

/** The cursor of a request, checked against the request's sort; a 400 naming it otherwise. */
export function decodePageCursor(
  text: string,
  sortField: SortField,
  sortOrder: SortOrder,
): PageCursor {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parts = undefined;
  }
  if (
    !Array.isArray(parts) ||
    parts.length !== 4 ||
    !parts.every((part) => typeof part === 'string') ||
    !/^\d{1,19}$/.test(parts[3])
  ) {
    throw new BadRequestException('cursor must be a nextCursor of an earlier page, unchanged');
  }
  const [field, order, value, id] = parts;
  if (field !== sortField || order !== sortOrder) {
    throw new BadRequestException(
      `cursor continues a page sorted by ${field} ${order}; ask with sortField=${field}&sortOrder=${order}`,
    );
  }
  return { sortField, sortOrder, value, id };
}
