import pg from 'pg';
import { createStoreDatabase, type StoreDatabase } from '../../../test/support/store-database.js';
import { BEGINNING, comparePositions, type StreamPosition } from '../stream-position.js';
import { currentWatermark, readStream } from './read-stream.js';

const insert = (eventId: string, tenantId = 'acme', eventType = 'Noted') =>
  `insert into ff_events (event_id, event_type, event_timestamp, aggregate_id, aggregate_type,
     event_data, tenant_id) values ('${eventId}', '${eventType}', now(), 1, 'Note', '{}', '${tenantId}')`;

describe('readStream', () => {
  let db: StoreDatabase;
  const clients: pg.Client[] = [];
  const connect = async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    clients.push(client);
    return client;
  };
  const ids = (page: Awaited<ReturnType<typeof readStream>>) => page.events.map((e) => e.event_id);

  beforeEach(async () => {
    db = await createStoreDatabase();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.end();
    await db.close();
  });

  it('holds back what a later commit wrote while an earlier writer is open, and skips nothing', async () => {
    const slow = await connect();
    const fast = await connect();
    // The slow writer takes its row id and transaction id first, and commits last: a reader
    // following ids alone would read "fast" and then never see "slow". (Their types differ: two
    // open writers of one tenant, type and hour wait on one statistics rollup row.)
    await slow.query('begin');
    await slow.query(insert('slow', 'acme', 'Slow'));
    await fast.query(insert('fast', 'acme', 'Fast'));

    const during = await readStream(db.sql, BEGINNING, {}, 10);
    expect(ids(during)).toEqual([]);
    expect(during.caughtUp).toBe(true);

    await slow.query('commit');
    const after = await readStream(db.sql, during.next, {}, 10);
    expect(ids(after)).toEqual(['slow', 'fast']);
  });

  it('delivers an earlier-started transaction that commits after later rows were read', async () => {
    const early = await connect();
    await early.query('begin');
    await early.query('select pg_current_xact_id()');
    await db.query(insert('later-1'));
    // early holds the watermark: later-1 is not delivered yet, so it cannot be passed.
    const first = await readStream(db.sql, BEGINNING, {}, 10);
    expect(ids(first)).toEqual([]);
    await early.query(insert('early'));
    await early.query('commit');
    const second = await readStream(db.sql, first.next, {}, 10);
    expect(ids(second)).toEqual(['early', 'later-1']);
    const positions = second.events.map((e) => e.position);
    expect(comparePositions(positions[0], positions[1])).toBeLessThan(0);
  });

  it('pages in position order, and moves a short page up to the watermark', async () => {
    for (const id of ['a', 'b', 'c']) await db.query(insert(id));
    const page = await readStream(db.sql, BEGINNING, {}, 2);
    expect(ids(page)).toEqual(['a', 'b']);
    expect(page.caughtUp).toBe(false);
    expect(page.next).toEqual(page.events[1].position);
    const rest = await readStream(db.sql, page.next, {}, 2);
    expect(ids(rest)).toEqual(['c']);
    expect(rest.caughtUp).toBe(true);
    expect(comparePositions(rest.next, rest.events[0].position)).toBeGreaterThan(0);
    expect(ids(await readStream(db.sql, rest.next, {}, 2))).toEqual([]);
  });

  it('moves a sparse filter past what it does not match, without reading it again', async () => {
    for (let i = 0; i < 5; i += 1) await db.query(insert(`other-${i}`, 'globex'));
    const page = await readStream(db.sql, BEGINNING, { tenantId: 'acme' }, 10);
    expect(ids(page)).toEqual([]);
    const [{ tx }] = (
      await db.query<{ tx: string }>(`select max(tx_id)::text as tx from ff_events`)
    ).rows;
    expect(BigInt(page.next.txId)).toBeGreaterThan(BigInt(tx));
  });

  it('filters by tenant, types and aggregate', async () => {
    await db.query(insert('acme-noted'));
    await db.query(insert('acme-paid', 'acme', 'Paid'));
    await db.query(insert('globex-paid', 'globex', 'Paid'));
    expect(ids(await readStream(db.sql, BEGINNING, { tenantId: 'acme' }, 10))).toEqual([
      'acme-noted',
      'acme-paid',
    ]);
    expect(ids(await readStream(db.sql, BEGINNING, { eventTypes: ['Paid'] }, 10))).toEqual([
      'acme-paid',
      'globex-paid',
    ]);
    expect(
      ids(await readStream(db.sql, BEGINNING, { aggregateType: 'Note', aggregateId: '2' }, 10)),
    ).toEqual([]);
  });

  it('starts `now` at the watermark: everything after it, nothing below it', async () => {
    await db.query(insert('before'));
    const now: StreamPosition = await currentWatermark(db.sql);
    await db.query(insert('after'));
    const page = await readStream(db.sql, now, {}, 10);
    // The watermark is the cluster's oldest open transaction: with none open, it is past
    // "before"; another session's open transaction can hold it lower, never higher.
    expect(ids(page)).toContain('after');
    for (const event of page.events)
      expect(comparePositions(event.position, now)).toBeGreaterThan(0);
  });
});
