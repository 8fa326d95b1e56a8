import { startService, type ServiceProcess } from '../support/service-process.js';
import { createStoreDatabase, type StoreDatabase } from '../support/store-database.js';
import { waitFor } from '../support/wait-for.js';

const EVENTS = 3_000;
const LEASE_MS = 3_000;

interface Checkpoint {
  tx: bigint;
  id: bigint;
  owner: string | null;
}

/**
 * Two instances run the same subscription; the one holding its lease is killed with -9 in the
 * middle of a batch. The other takes over once the lease expires, every event is delivered, and
 * the checkpoint never moves backwards or past an event not yet handled.
 */
describe('a subscription when its instance is killed', () => {
  let db: StoreDatabase;
  const services: ServiceProcess[] = [];
  const start = async (delayMs: number) => {
    const service = await startService(
      {
        DATABASE_URL: db.url,
        LOG_LEVEL: 'warn',
        SUBSCRIPTION_LEASE_MS: String(LEASE_MS),
        STREAM_POLL_INTERVAL_MS: '200',
        RECORDER_DELAY_MS: String(delayMs),
      },
      60_000,
      { entry: 'test/support/service-with-recorder.ts' },
    );
    services.push(service);
    return service;
  };
  const checkpoint = async (): Promise<Checkpoint | undefined> => {
    const { rows } = await db.query<{ tx: string; id: string; owner: string | null }>(
      `select position_tx::text as tx, position_id::text as id, lease_owner as owner
       from ff_event_subscriptions where name = 'recorder'`,
    );
    return rows[0] && { tx: BigInt(rows[0].tx), id: BigInt(rows[0].id), owner: rows[0].owner };
  };
  const insertEvents = (prefix: string) =>
    db.query(
      `insert into ff_events (event_id, event_type, event_timestamp, aggregate_id, aggregate_type,
         event_data, tenant_id)
       select $1 || '-' || n, 'Gap', now(), n, 'Note', '{}', 'acme' from generate_series(1, $2) as n`,
      [prefix, EVENTS],
    );
  const received = async () =>
    (await db.query<{ n: number }>('select count(*)::int as n from test_stream_received')).rows[0]
      .n;

  beforeEach(async () => {
    db = await createStoreDatabase();
    await db.query(`create table test_stream_received (
      event_id text primary key, cursor text not null, deliveries int not null)`);
    await insertEvents('gap');
  });

  afterEach(async () => {
    for (const service of services.splice(0)) await service.stop('SIGKILL');
    await db.close();
  });

  it('hands over after the lease, delivers every event, and never moves the checkpoint back or ahead', async () => {
    const first = await start(150);
    await waitFor(
      async () => ((await received()) >= 300 ? true : undefined),
      'a first part',
      60_000,
    );
    await start(150);

    const samples: Checkpoint[] = [];
    let sampling = true;
    let aheadOfDelivery = 0;
    const sampler = (async () => {
      while (sampling) {
        const at = await checkpoint();
        if (at) {
          samples.push(at);
          // Everything up to the checkpoint has been handled (its writes committed with it).
          const { rows } = await db.query<{ missing: number }>(
            `select count(*)::int as missing from ff_events e
             where (e.tx_id, e.id) <= ($1::xid8, $2::bigint) and e.event_type = 'Gap'
               and not exists (select 1 from test_stream_received r where r.event_id = e.event_id)`,
            [at.tx.toString(), at.id.toString()],
          );
          aheadOfDelivery += rows[0].missing;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    // On a loaded machine the first instance can deliver everything while the second starts;
    // a second part written just before the kill leaves it work to be killed in.
    await insertEvents('late');
    const ownerBefore = (await checkpoint())!.owner;
    await first.stop('SIGKILL');
    const killedAt = Date.now();
    await waitFor(
      async () => ((await received()) === 2 * EVENTS ? true : undefined),
      'every event to be delivered after the takeover',
      120_000,
    );
    const tookOverAfterMs = Date.now() - killedAt;
    sampling = false;
    await sampler;

    const { rows } = await db.query<{ twice: number; total: number }>(
      `select count(*) filter (where deliveries > 1)::int as twice, count(*)::int as total
       from test_stream_received`,
    );
    const owners = new Set(samples.map((s) => s.owner).filter((o) => o !== null));
    let backwards = 0;
    for (let i = 1; i < samples.length; i += 1) {
      const [a, b] = [samples[i - 1], samples[i]];
      if (b.tx < a.tx || (b.tx === a.tx && b.id < a.id)) backwards += 1;
    }
    process.stdout.write(
      `failover: ${2 * EVENTS} events, killed the owner mid-run, all delivered ${tookOverAfterMs} ms later; ` +
        `checkpoint samples ${samples.length}, backwards ${backwards}, ahead of delivery ${aheadOfDelivery}; ` +
        `handled twice ${rows[0].twice} (handler writes commit with the checkpoint)\n`,
    );
    expect(rows[0].total).toBe(2 * EVENTS);
    expect(rows[0].twice).toBe(0);
    expect(backwards).toBe(0);
    expect(aheadOfDelivery).toBe(0);
    expect(owners.size).toBe(2);
    expect([...owners]).toContain(ownerBefore);
  }, 180_000);

  it('keeps its lease through a batch slower than the lease, and makes progress', async () => {
    await db.query(`delete from ff_events where id > 120`);
    await start(LEASE_MS + 1_000);
    await waitFor(
      async () => ((await received()) === 120 ? true : undefined),
      'the slow subscription to finish',
      60_000,
    );
    const { rows } = await db.query<{ twice: number }>(
      'select count(*) filter (where deliveries > 1)::int as twice from test_stream_received',
    );
    expect(rows[0].twice).toBe(0);
  }, 90_000);
});
