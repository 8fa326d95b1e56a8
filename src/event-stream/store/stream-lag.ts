import { BoundSql, type SqlExecutor } from '../../database/sql.js';
import type { StreamPosition } from '../stream-position.js';
import type { StreamFilter } from './read-stream.js';

/** Lag counts stop here: past it, a reader is simply far behind, and counting costs. */
export const LAG_COUNT_LIMIT = 100_000;

export interface StreamLag {
  /** Events after the position that the reader will receive (at most LAG_COUNT_LIMIT). */
  readonly events: number;
  /** How long the oldest of them has been stored; 0 when there is none. */
  readonly seconds: number;
}

/** How far a reader at `position` is behind, for its filter. */
export async function streamLag(
  db: SqlExecutor,
  position: StreamPosition,
  filter: StreamFilter,
): Promise<StreamLag> {
  const clauses = ['is_valid', '(tx_id, id) > (?::xid8, ?::bigint)'];
  const params: unknown[] = [position.txId, position.id];
  if (filter.tenantId !== undefined) {
    clauses.push('tenant_id = ?');
    params.push(filter.tenantId);
  }
  if (filter.eventTypes !== undefined && filter.eventTypes.length > 0) {
    clauses.push('event_type = any(?::varchar[])');
    params.push([...filter.eventTypes]);
  }
  const where = clauses.join(' and ');
  const [row] = await new BoundSql(`
    select
      (select count(*)::int from (select 1 from ff_events where ${where} limit ${LAG_COUNT_LIMIT}) as behind)
        as events,
      coalesce(extract(epoch from now() - (
        select create_date from ff_events where ${where} order by tx_id, id limit 1
      )), 0)::float8 as seconds`).run<StreamLag>(db, [...params, ...params]);
  return row;
}

/**
 * How long the stream's watermark has been held back: the age of the oldest transaction that has
 * written (holds a transaction id) and is still open. Readers deliver nothing written after it
 * started until it ends; a large value names a long-running transaction somewhere.
 */
const WATERMARK_AGE = new BoundSql(`
  select coalesce(extract(epoch from now() - min(xact_start)), 0)::float8 as seconds
  from pg_stat_activity where backend_xid is not null`);

export async function watermarkAge(db: SqlExecutor): Promise<number> {
  const [{ seconds }] = await WATERMARK_AGE.run<{ seconds: number }>(db, []);
  return seconds;
}
