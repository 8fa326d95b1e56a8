import { createStoreDatabase, type StoreDatabase } from '../../../test/support/store-database.js';
import { BEGINNING } from '../stream-position.js';
import {
  acquireLease,
  advanceCheckpoint,
  ensureSubscription,
  heartbeat,
  listSubscriptions,
  resetSubscription,
} from './subscription-checkpoints.js';

describe('subscription checkpoints and leases', () => {
  let db: StoreDatabase;
  const checkpoint = async () => (await listSubscriptions(db.sql))[0].position;

  beforeEach(async () => {
    db = await createStoreDatabase();
    await ensureSubscription(db.sql, 'totals', BEGINNING);
  });
  afterEach(() => db.close());

  it('lets one instance hold the lease until it expires, and fences the former owner after', async () => {
    const a = await acquireLease(db.sql, 'totals', 'instance-a', 300);
    expect(a?.lease.epoch).toBe('1');
    expect(await acquireLease(db.sql, 'totals', 'instance-b', 300)).toBeUndefined();

    await new Promise((resolve) => setTimeout(resolve, 400));
    const b = await acquireLease(db.sql, 'totals', 'instance-b', 30_000);
    expect(b?.lease.epoch).toBe('2');

    // A's writes name epoch 1: they change nothing, whatever position they name.
    expect(await heartbeat(db.sql, a!.lease, 30_000)).toBe(false);
    expect(await advanceCheckpoint(db.sql, a!.lease, BEGINNING, { txId: '9', id: '9' }, 1)).toBe(
      false,
    );
    expect(await checkpoint()).toEqual(BEGINNING);
    expect(await advanceCheckpoint(db.sql, b!.lease, BEGINNING, { txId: '9', id: '9' }, 1)).toBe(
      true,
    );
    expect(await checkpoint()).toEqual({ txId: '9', id: '9' });
  });

  it('moves the checkpoint only from where the owner last saw it, and never backwards', async () => {
    const { lease } = (await acquireLease(db.sql, 'totals', 'a', 30_000))!;
    expect(await advanceCheckpoint(db.sql, lease, BEGINNING, { txId: '5', id: '1' }, 1)).toBe(true);
    expect(await advanceCheckpoint(db.sql, lease, BEGINNING, { txId: '7', id: '1' }, 1)).toBe(
      false,
    );
    expect(
      await advanceCheckpoint(db.sql, lease, { txId: '5', id: '1' }, { txId: '4', id: '9' }, 1),
    ).toBe(false);
    expect(await checkpoint()).toEqual({ txId: '5', id: '1' });
  });

  it('renews the lease of its owner without changing the epoch', async () => {
    const first = (await acquireLease(db.sql, 'totals', 'a', 30_000))!;
    const again = (await acquireLease(db.sql, 'totals', 'a', 30_000))!;
    expect(again.lease.epoch).toBe(first.lease.epoch);
    expect(await heartbeat(db.sql, first.lease, 30_000)).toBe(true);
  });

  it('reset ends the lease and bumps the epoch, so the running owner cannot move it back', async () => {
    const { lease } = (await acquireLease(db.sql, 'totals', 'a', 30_000))!;
    await advanceCheckpoint(db.sql, lease, BEGINNING, { txId: '5', id: '1' }, 1);
    await resetSubscription(db.sql, 'totals', BEGINNING);
    expect(
      await advanceCheckpoint(db.sql, lease, { txId: '5', id: '1' }, { txId: '6', id: '1' }, 1),
    ).toBe(false);
    const [row] = await listSubscriptions(db.sql);
    expect(row).toMatchObject({ position: BEGINNING, leaseOwner: null, leaseEpoch: '2' });
  });
});
