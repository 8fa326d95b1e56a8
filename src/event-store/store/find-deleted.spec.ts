import { createStoreDatabase, type StoreDatabase } from '../../../test/support/store-database.js';
import { seedEvents } from '../../../test/support/seed-events.js';
import { findDeleted } from './find-deleted.js';

describe('findDeleted', () => {
  let db: StoreDatabase;

  beforeEach(async () => {
    db = await createStoreDatabase();
  });
  afterEach(() => db.close());

  it("finds the tenant's soft-deleted ids among those asked, and no other tenant's", async () => {
    await seedEvents(db, [
      { eventId: 'gone', tenantId: 'acme', isValid: false },
      { eventId: 'live', tenantId: 'acme' },
      { eventId: 'theirs-gone', tenantId: 'globex', isValid: false },
    ]);
    expect(await findDeleted(db.sql, 'acme', ['gone', 'live', 'theirs-gone', 'never'])).toEqual(
      new Set(['gone']),
    );
    expect(await findDeleted(db.sql, 'acme', [])).toEqual(new Set());
  });
});
