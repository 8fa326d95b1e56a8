import { Routine } from '@mikro-orm/core';

/**
 * The tenant's UTC day of an event, `tenant/days since 2000-01-01`: a key of the GIN indexes of
 * tags, data and descriptions (DayKeyedGinIndexes_20261203), so that a page asks them for one
 * day's matches at a time (see windowedPage in event.queries.ts). Declared here so that the ORM's
 * schema diff keeps it.
 *
 * Text || text and an integer's ::text are immutable (text || integer would be textanycat, which
 * is only stable), so PostgreSQL inlines the body, in the indexes and in queries. Infinite
 * timestamps, which have no day, have no key.
 */
export const EVENT_DAY_BODY = `select case when isfinite(at)
  then tenant || '/' || ((at at time zone 'UTC')::date - date '2000-01-01')::text end`;

/** A tenant and a moment: the parameters of ff_event_day, and the first of ff_description_keys. */
export const TENANT_AT_PARAMS = {
  tenant: { type: 'character varying', runtimeType: 'string' },
  at: { type: 'timestamp with time zone', runtimeType: 'Date' },
} as const;

export const EventDay = new Routine({
  name: 'ff_event_day',
  type: 'function',
  language: 'sql',
  deterministic: true,
  params: TENANT_AT_PARAMS,
  returns: { runtimeType: 'string', columnType: 'text' },
  body: EVENT_DAY_BODY,
});
