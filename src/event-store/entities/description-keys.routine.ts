import { Routine } from '@mikro-orm/core';
import { TENANT_AT_PARAMS } from './event-day.routine.js';

/**
 * The keys of an event's description in idx_ff_events_description_keys
 * (TenantKeyedDescriptionIndex_20261206): each trigram pg_trgm takes from it, as `tenant/trigram`;
 * the tenant's UTC day (ff_event_day), as `tenant/day/`; and the hour of that day, as
 * `tenant/day/hh`. Declared here so that the ORM's schema diff keeps it.
 *
 * Why the tenant is in every key: a GIN index keeps one posting list per key, and a trigram's list
 * over every tenant is as long as the table is large. With the tenant as a column of its own, GIN
 * advanced the tenant's list to every row the trigrams held in any tenant: 3,500 index pages for a
 * keyword 112 of a tenant's million events hold, at ten million events in ten tenants, a cost that
 * grows with the number of tenants too. A tenant's own trigram lists hold only its rows.
 *
 * Why days and hours: GIN keeps no order. A page asks for the matches of its newest days (or
 * hours, in a day that holds many) one at a time, each found without the others' (see
 * windowedPage and probedPage in event.queries.ts).
 *
 * A word's first letter alone ("  a", pg_trgm's double padding) is no key: a keyword never asks
 * for it (KeywordTrigramsQuery), and each word's would be one more key to write.
 *
 * No key of one kind or tenant equals one of another (tenants hold no '/', see api-key.guard.ts):
 * after the tenant, a trigram is three characters without '/' (or pg_trgm's hash, `0x` and six
 * more), a day key ends in '/', and an hour key in '/' and two digits.
 *
 * Immutable, as show_trgm is, so that it may be an index expression. pg_trgm's trigrams of
 * characters outside ASCII are hashes, printed `0x…`; they are keys like any other.
 */
export const DESCRIPTION_KEYS_BODY = `select array(
    select tenant || '/' || trigram from unnest(show_trgm(description)) as trigram
    where trigram not like '  %'
  ) || (ff_event_day(tenant, at) || '/')
    || ${hourKey('ff_event_day(tenant, at)', "extract(hour from at at time zone 'UTC')")}`;

/** The key of an hour (0 to 23, an SQL expression) of a day (its ff_event_day key, SQL). */
export function hourKey(day: string, hour: string): string {
  return `(${day} || '/' || lpad((${hour})::int::text, 2, '0'))`;
}

export const DescriptionKeys = new Routine({
  name: 'ff_description_keys',
  type: 'function',
  language: 'sql',
  deterministic: true,
  params: { ...TENANT_AT_PARAMS, description: { type: 'text', runtimeType: 'string' } },
  returns: { runtimeType: 'object', columnType: 'text[]' },
  body: DESCRIPTION_KEYS_BODY,
});

/**
 * The indexed expression, in the "C" collation: GIN compares its keys on every insert, and bytes
 * compare several times faster than the database's default collation would. Queries write it
 * so too, or the index does not serve them.
 */
export const DESCRIPTION_KEYS =
  'ff_description_keys(tenant_id, event_timestamp, event_description) collate "C"';
