import { BoundSql, type SqlExecutor } from '../../database/sql.js';
import type { EventRow } from '../../event-store/event-row.js';
import { comparePositions, type StreamPosition } from '../stream-position.js';

/** Which events a reader follows; every part optional (all tenants, all types). */
export interface StreamFilter {
  readonly tenantId?: string;
  readonly eventTypes?: readonly string[];
  readonly aggregateType?: string;
  readonly aggregateId?: string;
}

export interface StreamPage {
  /** The events after the position, in stream order, each with its position. */
  readonly events: readonly (EventRow & { readonly position: StreamPosition })[];
  /**
   * Where the next read starts. After a full page, the last event's position. After a short
   * page, the watermark: every event below it has been seen, matching or not, so a sparse
   * filter does not read the same range again.
   */
  readonly next: StreamPosition;
  /** Whether the page was short: the reader is at the watermark (live). */
  readonly caughtUp: boolean;
}

/**
 * The gap-free read of the stream, in ONE statement: the snapshot's xmin and the rows come from
 * the same snapshot. xmin is the oldest transaction still running when the snapshot was taken;
 * every transaction id below it has committed or aborted, so every row below it that will ever
 * exist is visible now. Reading only below it, in (tx_id, id) order, a row committed after a
 * later one was read cannot be skipped: its tx_id is at least xmin, so it was not yet due. (Read
 * in two statements, a commit between them could fall below a watermark taken after the rows:
 * Marten's skipped-events bug.) A long-running writing transaction holds xmin, and with it the
 * stream, back: it delays delivery, it never causes a skip. The reader itself runs as a single
 * read-only statement, holds no transaction id, and so never holds xmin back.
 *
 * The row comparison (tx_id, id) > (?, ?) walks idx_ff_events_stream, or with a tenant
 * idx_ff_events_tenant_stream, from the position: a read costs its page, however far the stream.
 */
export async function readStream(
  db: SqlExecutor,
  after: StreamPosition,
  filter: StreamFilter,
  limit: number,
): Promise<StreamPage> {
  const clauses = ['e.is_valid', '(e.tx_id, e.id) > (?::xid8, ?::bigint)', 'e.tx_id < w.xmin'];
  const params: unknown[] = [after.txId, after.id];
  if (filter.tenantId !== undefined) {
    clauses.push('e.tenant_id = ?');
    params.push(filter.tenantId);
  }
  if (filter.eventTypes !== undefined && filter.eventTypes.length > 0) {
    clauses.push('e.event_type = any(?::varchar[])');
    params.push([...filter.eventTypes]);
  }
  if (filter.aggregateType !== undefined) {
    clauses.push('e.aggregate_type = ?');
    params.push(filter.aggregateType);
  }
  if (filter.aggregateId !== undefined) {
    clauses.push('e.aggregate_id = ?::bigint');
    params.push(filter.aggregateId);
  }
  const statement = new BoundSql(`
    with w as materialized (select pg_snapshot_xmin(pg_current_snapshot()) as xmin)
    select w.xmin::text as stream_watermark, e.*, e.tx_id::text as stream_tx_id
    from w left join lateral (
      select * from ff_events as e
      where ${clauses.join(' and ')}
      order by e.tx_id, e.id
      limit ?
    ) as e on true`);
  const rows = await statement.run<
    EventRow & { stream_watermark: string; stream_tx_id: string | null; tx_id?: unknown }
  >(db, [...params, limit]);
  const watermark = rows[0].stream_watermark;
  const events = rows
    .filter((row) => row.stream_tx_id !== null)
    .map(({ stream_watermark, stream_tx_id, tx_id, ...row }) => ({
      ...row,
      position: { txId: stream_tx_id!, id: row.id },
    }));
  if (events.length === limit) {
    return { events, next: events[events.length - 1].position, caughtUp: false };
  }
  // Everything below the watermark has been read: the next read starts at it (unless the reader
  // was given a position beyond it, which it keeps: a position never moves back).
  const atWatermark = { txId: watermark, id: '0' };
  return {
    events,
    next: comparePositions(atWatermark, after) > 0 ? atWatermark : after,
    caughtUp: true,
  };
}

/** Where a reader starting `now` starts: the watermark, never max(id) (see readStream). */
const WATERMARK = new BoundSql('select pg_snapshot_xmin(pg_current_snapshot())::text as xmin');

export async function currentWatermark(db: SqlExecutor): Promise<StreamPosition> {
  const [{ xmin }] = await WATERMARK.run<{ xmin: string }>(db, []);
  return { txId: xmin, id: '0' };
}
