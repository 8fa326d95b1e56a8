import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createStoreDatabase, type StoreDatabase } from '../../../test/support/store-database.js';
import type { EventEnvelope } from '../event-envelope.js';
import { appendEvents, type AppendOptions, type NewEvent } from './append-events.js';
import { findOwners } from './find-owners.js';

const NOW = new Date('2026-05-01T10:00:00.000Z');
const OPTIONS: AppendOptions = { returnRows: false, now: NOW, actor: 'test', maxRetryCount: 3 };

function event(
  tenantId: string,
  eventId: string = randomUUID(),
  handlers: string[] = [],
): NewEvent {
  const envelope: EventEnvelope = {
    eventId,
    eventType: 'Noted',
    eventVersion: '1.0',
    eventTimestamp: NOW,
    aggregateId: '9007199254740993',
    aggregateType: 'Note',
    eventSource: 'Test',
    eventData: { text: 'hello' },
    eventMetadata: { origin: 'spec' },
    eventTags: ['a'],
    tenantId,
  };
  return { envelope, handlers };
}

describe('appendEvents', () => {
  let db: StoreDatabase;

  beforeAll(async () => {
    db = await createStoreDatabase();
  });
  afterAll(() => db.close());

  it('inserts a batch in its order and reports each event created, with its tenant as owner', async () => {
    const batch = [event('acme'), event('acme', undefined, ['log']), event('globex')];
    const results = await appendEvents(db.sql, batch, OPTIONS);
    expect(results).toEqual(
      batch.map(({ envelope }) => ({
        eventId: envelope.eventId,
        created: true,
        owner: envelope.tenantId,
      })),
    );
    const { rows } = await db.query<{
      event_id: string;
      event_status: string;
      aggregate_id: string;
    }>('select event_id, event_status, aggregate_id from ff_events order by id');
    expect(rows).toEqual([
      {
        event_id: batch[0].envelope.eventId,
        event_status: 'Processed',
        aggregate_id: '9007199254740993',
      },
      {
        event_id: batch[1].envelope.eventId,
        event_status: 'Published',
        aggregate_id: '9007199254740993',
      },
      {
        event_id: batch[2].envelope.eventId,
        event_status: 'Processed',
        aggregate_id: '9007199254740993',
      },
    ]);
  });

  it('writes nothing for an id already stored and names the tenant that holds it', async () => {
    const original = event('acme');
    await appendEvents(db.sql, [original], OPTIONS);
    const before = await db.query('select * from ff_events where event_id = $1', [
      original.envelope.eventId,
    ]);

    const [again] = await appendEvents(db.sql, [event('acme', original.envelope.eventId)], OPTIONS);
    const [squatter] = await appendEvents(
      db.sql,
      [event('globex', original.envelope.eventId)],
      OPTIONS,
    );
    expect(again).toEqual({ eventId: original.envelope.eventId, created: false, owner: 'acme' });
    expect(squatter).toEqual({ eventId: original.envelope.eventId, created: false, owner: 'acme' });
    const after = await db.query('select * from ff_events where event_id = $1', [
      original.envelope.eventId,
    ]);
    expect(after.rows).toEqual(before.rows);
  });

  it('returns the new rows whole when asked, and none for ids that existed', async () => {
    const existing = event('acme');
    await appendEvents(db.sql, [existing], OPTIONS);
    const fresh = event('acme');
    const results = await appendEvents(db.sql, [fresh, event('acme', existing.envelope.eventId)], {
      ...OPTIONS,
      returnRows: true,
    });
    expect(results[0].row).toMatchObject({
      event_id: fresh.envelope.eventId,
      tenant_id: 'acme',
      event_data: { text: 'hello' },
      process_count: 1,
    });
    expect(results[1]).toEqual({
      eventId: existing.envelope.eventId,
      created: false,
      owner: 'acme',
    });
  });

  it('leaves the owner of an id inserted by a concurrent transaction to findOwners', async () => {
    const contested = event('globex');
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      // Another writer holds the id, uncommitted: our insert waits on it, and the row it then
      // conflicts with is newer than our statement's snapshot.
      await other.query('begin');
      await other.query(
        `insert into ff_events (event_id, event_type, event_timestamp, aggregate_id,
           aggregate_type, event_data, tenant_id)
         values ($1, 'Noted', now(), 1, 'Note', '{}', 'globex')`,
        [contested.envelope.eventId],
      );
      const appending = appendEvents(db.sql, [event('acme', contested.envelope.eventId)], OPTIONS);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await other.query('commit');
      const [result] = await appending;
      expect(result).toEqual({ eventId: contested.envelope.eventId, created: false, owner: null });
      expect(await findOwners(db.sql, [contested.envelope.eventId, 'no-such-id'])).toEqual(
        new Map([[contested.envelope.eventId, 'globex']]),
      );
    } finally {
      await other.end();
    }
  });
});
