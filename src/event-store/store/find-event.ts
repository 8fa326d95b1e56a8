import { BoundSql, type SqlExecutor } from '../../database/sql.js';
import type { EventRow } from '../event-row.js';
import type { ReadScope } from '../queries/read-scope.js';
import { ScopedWhere } from '../queries/scoped-where.js';

/**
 * One event of the scope by its eventId: undefined when there is none, it is another tenant's, or
 * it is soft-deleted and the scope does not include deleted rows. On whichever executor the
 * caller runs: a write route that reads its event back does so on the writes' connections, not
 * behind the reads' limit (ReadPool), so that no slow read can make it answer 503 after it wrote.
 */
export async function findEvent(
  db: SqlExecutor,
  scope: ReadScope,
  eventId: string,
): Promise<EventRow | undefined> {
  const where = new ScopedWhere(scope).and('event_id = ?', eventId);
  const [row] = await new BoundSql(`select * from ff_events ${where.sql}`).run<EventRow>(
    db,
    where.params,
  );
  return row;
}
