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
  // The value goes to SQL as the sort column's type: one PostgreSQL would refuse is a 400 here,
  // not a 500 there (a cursor is opaque, but nothing stops a client from editing it).
  if (!fitsColumn(sortField, value) || !inRange(id, INT8_MAX)) {
    throw new BadRequestException('cursor must be a nextCursor of an earlier page, unchanged');
  }
  return { sortField, sortOrder, value, id };
}

const INT8_MAX = 2n ** 63n - 1n;
const INT4_MAX = 2n ** 31n - 1n;
const PG_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:[+-](\d{2})(?::?(\d{2}))?(?::\d{2})?|Z)$/;

/** A timestamp as PostgreSQL prints it (or ISO 8601 with Z), naming a real instant. */
function isTimestamp(value: string): boolean {
  const match = PG_TIMESTAMP.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second, zoneHours, zoneMinutes] = match
    .slice(1)
    .map((part) => (part === undefined ? 0 : Number(part)));
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    year >= 1 &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60 &&
    zoneHours < 16 &&
    zoneMinutes < 60
  );
}
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function inRange(text: string, max: bigint): boolean {
  return /^-?\d{1,19}$/.test(text) && BigInt(text) <= max && BigInt(text) >= -max - 1n;
}

function fitsColumn(field: SortField, value: string): boolean {
  switch (field) {
    case 'eventTimestamp':
    case 'createDate':
    case 'modifyDate':
      return isTimestamp(value);
    case 'aggregateId':
    case 'id':
      return inRange(value, INT8_MAX);
    case 'processCount':
      return inRange(value, INT4_MAX);
    default:
      return value.length <= 100 && !value.includes('\u0000') && !LONE_SURROGATE.test(value);
  }
}
