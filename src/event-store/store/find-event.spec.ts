import { createStoreDatabase, type StoreDatabase } from '../../../test/support/store-database.js';
import { seedEvents } from '../../../test/support/seed-events.js';
import { findEvent } from './find-event.js';

describe('findEvent', () => {
  let db: StoreDatabase;

  beforeAll(async () => {
    db = await createStoreDatabase();
    await seedEvents(db, [
      { eventId: 'kept', tenantId: 'acme' },
      { eventId: 'gone', tenantId: 'acme', isValid: false },
      { eventId: 'theirs', tenantId: 'globex' },
    ]);
  });
  afterAll(() => db.close());

  const acme = { tenantId: 'acme', includeDeleted: false };

  it("finds a tenant's valid event by its eventId", async () => {
    expect(await findEvent(db.sql, acme, 'kept')).toMatchObject({
      event_id: 'kept',
      tenant_id: 'acme',
    });
  });

  it("finds neither another tenant's event nor an id that is not there", async () => {
    expect(await findEvent(db.sql, acme, 'theirs')).toBeUndefined();
    expect(await findEvent(db.sql, acme, 'never')).toBeUndefined();
  });

  it('finds a soft-deleted event only for a scope that includes deleted rows', async () => {
    expect(await findEvent(db.sql, acme, 'gone')).toBeUndefined();
    expect(
      await findEvent(db.sql, { tenantId: 'acme', includeDeleted: true }, 'gone'),
    ).toMatchObject({ event_id: 'gone', is_valid: false });
  });
});
