import { Migration } from '@mikro-orm/migrations';
import {
  DESCRIPTION_KEYS,
  DESCRIPTION_KEYS_BODY,
} from '../../event-store/entities/description-keys.routine.js';
import { GIN_PENDING_LIST } from './DayKeyedGinIndexes_20261203.js';
import { buildIndexConcurrently } from './sql/concurrent-index.js';

const KEYS_INDEX = 'idx_ff_events_description_keys';
const TRIGRAM_INDEX = 'idx_ff_events_description_trgm';

/**
 * Keywords are found through the tenant's own trigrams (ff_description_keys, see
 * description-keys.routine.ts) instead of idx_ff_events_description_trgm's (tenant_id, day,
 * gin_trgm_ops), whose trigram lists spanned every tenant: the new index takes its place, and
 * serves what it served (a keyword's trigrams, of all days or of one).
 *
 * Online, so outside a transaction: the new index is built CONCURRENTLY (at ten million events
 * about as long as the one it replaces took, several minutes; reads and writes go on), then the
 * old one is dropped CONCURRENTLY. Keyword pages run meanwhile with the index there is. Run again
 * after an interruption, an invalid new index is dropped and built again, a valid one kept.
 */
export class TenantKeyedDescriptionIndex_20261206 extends Migration {
  override isTransactional(): boolean {
    return false;
  }

  override async up(): Promise<void> {
    const [existing] = await this.execute(`select p.prosrc as body from pg_proc as p
      where p.oid = to_regprocedure('ff_description_keys(varchar, timestamptz, text)')`);
    // The search path of this session, kept with the function: show_trgm and ff_event_day are
    // found on it, also where PostgreSQL (17 and later) builds, analyzes or restores an index
    // with only pg_catalog's.
    await this.execute(`create or replace function ff_description_keys(
        tenant varchar, at timestamptz, description text)
      returns text[] immutable parallel safe language sql set search_path from current
      as $$ ${DESCRIPTION_KEYS_BODY} $$`);
    // An index of a function whose body was another (a pre-release build of this migration)
    // holds other keys: it is built again.
    const body = (existing as { body?: string } | undefined)?.body;
    if (body !== undefined && body.trim() !== DESCRIPTION_KEYS_BODY.trim()) {
      await this.execute(`drop index concurrently if exists ${KEYS_INDEX}`);
    }
    await buildIndexConcurrently(
      this,
      KEYS_INDEX,
      `using gin ((${DESCRIPTION_KEYS})) with (${GIN_PENDING_LIST}) where is_valid`,
    );
    await this.execute(`drop index concurrently if exists ${TRIGRAM_INDEX}`);
  }

  override async down(): Promise<void> {
    await buildIndexConcurrently(
      this,
      TRIGRAM_INDEX,
      `using gin (tenant_id, ff_event_day(tenant_id, event_timestamp),
        event_description gin_trgm_ops) with (${GIN_PENDING_LIST}) where is_valid`,
    );
    await this.execute(`drop index concurrently if exists ${KEYS_INDEX}`);
    await this.execute('drop function if exists ff_description_keys(varchar, timestamptz, text)');
  }
}
