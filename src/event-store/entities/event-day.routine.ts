import { Routine } from '@mikro-orm/core';

/**
 * The tenant's UTC day of an event, `tenant/days since 2000-01-01`: a key of the GIN indexes of
 * tags, data and descriptions (DayKeyedGinIndexes_20261203), so that a page asks them for one day's
 * matches at a time (see windowedPage in event.queries.ts). Declared here so that the ORM's schema diff keeps it.
 */
export const EVENT_DAY_BODY = `select tenant || '/' || ((at at time zone 'UTC')::date - date '2000-01-01')`;

export const EventDay = new Routine({
  name: 'ff_event_day',
  type: 'function',
  language: 'sql',
  deterministic: true,
  params: {
    tenant: { type: 'character varying', runtimeType: 'string' },
    at: { type: 'timestamp with time zone', runtimeType: 'Date' },
  },
  returns: { runtimeType: 'string', columnType: 'text' },
  body: EVENT_DAY_BODY,
});
