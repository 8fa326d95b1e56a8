import { BoundSql, type SqlExecutor } from '../../database/sql.js';
import type { StreamPosition } from '../stream-position.js';

/** A subscription's row: its checkpoint and its lease. */
export interface SubscriptionRow {
  readonly name: string;
  readonly position: StreamPosition;
  readonly leaseOwner: string | null;
  readonly leaseEpoch: string;
  readonly leaseExpiresAt: Date | null;
  readonly delivered: string;
  readonly lastDeliveredAt: Date | null;
  readonly lastError: string | null;
}

/** A lease this instance holds: every checkpoint write is fenced by its epoch. */
export interface Lease {
  readonly name: string;
  readonly owner: string;
  readonly epoch: string;
}

const COLUMNS = `name, position_tx::text as position_tx, position_id::text as position_id,
  lease_owner, lease_epoch::text as lease_epoch, lease_expires_at, delivered::text as delivered,
  last_delivered_at, last_error`;

interface Row {
  name: string;
  position_tx: string;
  position_id: string;
  lease_owner: string | null;
  lease_epoch: string;
  lease_expires_at: Date | string | null;
  delivered: string;
  last_delivered_at: Date | string | null;
  last_error: string | null;
}

function toSubscription(row: Row): SubscriptionRow {
  return {
    name: row.name,
    position: { txId: row.position_tx, id: row.position_id },
    leaseOwner: row.lease_owner,
    leaseEpoch: row.lease_epoch,
    leaseExpiresAt: row.lease_expires_at === null ? null : new Date(row.lease_expires_at),
    delivered: row.delivered,
    lastDeliveredAt: row.last_delivered_at === null ? null : new Date(row.last_delivered_at),
    lastError: row.last_error,
  };
}

/** A new subscription starts where it was told to; an existing one keeps its checkpoint. */
const ENSURE = new BoundSql(`
  insert into ff_event_subscriptions (name, position_tx, position_id)
  values (?, ?::xid8, ?::bigint)
  on conflict (name) do nothing`);

export async function ensureSubscription(
  db: SqlExecutor,
  name: string,
  start: StreamPosition,
): Promise<void> {
  await ENSURE.run(db, [name, start.txId, start.id]);
}

/**
 * Takes the lease when nobody holds it or it has expired (its owner died or hung), or renews it
 * when this owner holds it. Taking it increments the epoch: from then on, checkpoint writes of the
 * former owner, which name the old epoch, change nothing.
 */
const ACQUIRE = new BoundSql(`
  update ff_event_subscriptions
  set lease_owner = ?, lease_expires_at = now() + ? * interval '1 millisecond',
      lease_epoch = case when lease_owner is distinct from ? or lease_expires_at < now()
        then lease_epoch + 1 else lease_epoch end,
      updated_at = now()
  where name = ? and (lease_owner is null or lease_expires_at < now() or lease_owner = ?)
  returning ${COLUMNS}`);

export async function acquireLease(
  db: SqlExecutor,
  name: string,
  owner: string,
  ttlMs: number,
): Promise<{ lease: Lease; subscription: SubscriptionRow } | undefined> {
  const [row] = await ACQUIRE.run<Row>(db, [owner, ttlMs, owner, name, owner]);
  if (!row) return undefined;
  return { lease: { name, owner, epoch: row.lease_epoch }, subscription: toSubscription(row) };
}

/** Extends the lease while this owner still holds it at this epoch; false when it was lost. */
const HEARTBEAT = new BoundSql(`
  update ff_event_subscriptions
  set lease_expires_at = now() + ? * interval '1 millisecond', updated_at = now()
  where name = ? and lease_owner = ? and lease_epoch = ?::bigint and lease_expires_at > now()
  returning 1`);

export async function heartbeat(db: SqlExecutor, lease: Lease, ttlMs: number): Promise<boolean> {
  return (await HEARTBEAT.run(db, [ttlMs, lease.name, lease.owner, lease.epoch])).length === 1;
}

/** Gives the lease up at shutdown, so that another instance takes over at once. */
const RELEASE = new BoundSql(`
  update ff_event_subscriptions set lease_owner = null, lease_expires_at = null, updated_at = now()
  where name = ? and lease_owner = ? and lease_epoch = ?::bigint`);

export async function releaseLease(db: SqlExecutor, lease: Lease): Promise<void> {
  await RELEASE.run(db, [lease.name, lease.owner, lease.epoch]);
}

/**
 * Moves the checkpoint from `from` to `to`: a compare-and-set on the position and the lease
 * epoch, run in the transaction of the handler's writes. It changes nothing (false) when another
 * instance took the lease meanwhile, or an operator reset the subscription: the caller's
 * transaction then rolls back, handler writes included. The checkpoint never moves backwards or
 * under a former owner.
 */
const ADVANCE = new BoundSql(`
  update ff_event_subscriptions
  set position_tx = ?::xid8, position_id = ?::bigint, delivered = delivered + ?,
      last_delivered_at = case when ? > 0 then now() else last_delivered_at end,
      last_error = null, updated_at = now()
  where name = ? and lease_owner = ? and lease_epoch = ?::bigint and lease_expires_at > now()
    and position_tx = ?::xid8 and position_id = ?::bigint
    and (position_tx, position_id) <= (?::xid8, ?::bigint)
  returning 1`);

export async function advanceCheckpoint(
  db: SqlExecutor,
  lease: Lease,
  from: StreamPosition,
  to: StreamPosition,
  delivered: number,
): Promise<boolean> {
  const rows = await ADVANCE.run(db, [
    to.txId,
    to.id,
    delivered,
    delivered,
    lease.name,
    lease.owner,
    lease.epoch,
    from.txId,
    from.id,
    to.txId,
    to.id,
  ]);
  return rows.length === 1;
}

/** The last handler error, for the operators' view; fenced like the checkpoint. */
const NOTE_ERROR = new BoundSql(`
  update ff_event_subscriptions set last_error = left(?, 2000), updated_at = now()
  where name = ? and lease_owner = ? and lease_epoch = ?::bigint`);

export async function noteError(db: SqlExecutor, lease: Lease, error: string): Promise<void> {
  await NOTE_ERROR.run(db, [error, lease.name, lease.owner, lease.epoch]);
}

/**
 * An operator moves the checkpoint. The lease is ended and its epoch bumped, so the running
 * owner's next checkpoint write fails and it starts again from the new position.
 */
const RESET = new BoundSql(`
  update ff_event_subscriptions
  set position_tx = ?::xid8, position_id = ?::bigint, lease_owner = null,
      lease_expires_at = null, lease_epoch = lease_epoch + 1, last_error = null,
      updated_at = now()
  where name = ?
  returning ${COLUMNS}`);

export async function resetSubscription(
  db: SqlExecutor,
  name: string,
  to: StreamPosition,
): Promise<SubscriptionRow | undefined> {
  const [row] = await RESET.run<Row>(db, [to.txId, to.id, name]);
  return row ? toSubscription(row) : undefined;
}

const LIST = new BoundSql(`select ${COLUMNS} from ff_event_subscriptions order by name`);

export async function listSubscriptions(db: SqlExecutor): Promise<SubscriptionRow[]> {
  return (await LIST.run<Row>(db, [])).map(toSubscription);
}
