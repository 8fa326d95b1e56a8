import { BoundSql, type SqlExecutor } from '../../database/sql.js';
import type { EventRow } from '../../event-store/event-row.js';
import type { StreamPosition } from '../stream-position.js';

const READ = new BoundSql(`
  select e.*, e.tx_id::text as stream_tx_id from ff_events as e where e.id = ?::bigint`);

/** One stored event by its row id, with its stream position (a parked event's replay). */
export async function readEventRow(
  db: SqlExecutor,
  rowId: string,
): Promise<(EventRow & { position: StreamPosition }) | undefined> {
  const [row] = await READ.run<EventRow & { stream_tx_id: string; tx_id?: unknown }>(db, [rowId]);
  if (!row) return undefined;
  const { stream_tx_id, tx_id, ...event } = row;
  return { ...event, position: { txId: stream_tx_id, id: event.id } };
}
