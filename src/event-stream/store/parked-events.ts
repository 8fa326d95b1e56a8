import { BoundSql, type SqlExecutor } from '../../database/sql.js';

export interface ParkedRow {
  readonly subscription: string;
  readonly eventId: string;
  readonly eventRowId: string;
  readonly attempts: number;
  readonly error: string;
  readonly parkedAt: Date;
}

interface Row {
  subscription: string;
  event_id: string;
  event_row_id: string;
  attempts: number;
  error: string;
  parked_at: Date | string;
}

const toParked = (row: Row): ParkedRow => ({
  subscription: row.subscription,
  eventId: row.event_id,
  eventRowId: row.event_row_id,
  attempts: row.attempts,
  error: row.error,
  parkedAt: new Date(row.parked_at),
});

/** Sets an event aside for one subscription; run in the transaction that moves past it. */
const PARK = new BoundSql(`
  insert into ff_event_subscription_parked (subscription, event_id, event_row_id, attempts, error)
  values (?, ?, ?::bigint, ?, left(?, 2000))
  on conflict (subscription, event_id) do update
  set attempts = ff_event_subscription_parked.attempts + excluded.attempts,
      error = excluded.error, parked_at = now()`);

export async function parkEvent(
  db: SqlExecutor,
  parked: {
    subscription: string;
    eventId: string;
    eventRowId: string;
    attempts: number;
    error: string;
  },
): Promise<void> {
  await PARK.run(db, [
    parked.subscription,
    parked.eventId,
    parked.eventRowId,
    parked.attempts,
    parked.error,
  ]);
}

const LIST = new BoundSql(`
  select subscription, event_id, event_row_id::text as event_row_id, attempts, error, parked_at
  from ff_event_subscription_parked where subscription = ?
  order by parked_at, event_id
  limit ?`);

export async function listParked(
  db: SqlExecutor,
  subscription: string,
  limit: number,
): Promise<ParkedRow[]> {
  return (await LIST.run<Row>(db, [subscription, limit])).map(toParked);
}

const COUNT = new BoundSql(`
  select subscription, count(*)::int as parked from ff_event_subscription_parked
  group by subscription`);

export async function countParked(db: SqlExecutor): Promise<Map<string, number>> {
  const rows = await COUNT.run<{ subscription: string; parked: number }>(db, []);
  return new Map(rows.map((row) => [row.subscription, row.parked]));
}

/** Takes a parked event for a replay: locked until the replay's transaction ends. */
const TAKE = new BoundSql(`
  select subscription, event_id, event_row_id::text as event_row_id, attempts, error, parked_at
  from ff_event_subscription_parked where subscription = ? and event_id = ?
  for update`);

export async function takeParked(
  db: SqlExecutor,
  subscription: string,
  eventId: string,
): Promise<ParkedRow | undefined> {
  const [row] = await TAKE.run<Row>(db, [subscription, eventId]);
  return row ? toParked(row) : undefined;
}

const REMOVE = new BoundSql(`
  delete from ff_event_subscription_parked where subscription = ? and event_id = ?`);

export async function removeParked(
  db: SqlExecutor,
  subscription: string,
  eventId: string,
): Promise<void> {
  await REMOVE.run(db, [subscription, eventId]);
}
