/**
 * The SQL of ff_description_prefixes (AddDescriptionPrefixes_20261206), in one place: the trigger
 * that keeps it, the migration's backfill and the keyword page's reads (keyword-slices.ts)
 * take a description's word starts the same way.
 *
 * A row says: some event of this tenant, in this slice of five minutes (`slice`, its first
 * instant, UTC), has a description in which a word starts with `prefix`. A word starts after any
 * character that is not an ASCII letter or digit, in the lower-cased description (lower(), as
 * ILIKE lower-cases both sides); its prefixes are its first 2, 3 and 4 characters of ASCII letters
 * and digits (as many as it has).
 *
 * Why: GIN keeps no order, so the description index can say which rows hold a keyword's trigrams
 * but not which are the newest; and a trigram says little of where in a word it stands. At ten
 * million events the matches of "onboarding 119", 1,112 of a tenant's million, lay 80 days back
 * among 5,264 rows that held its trigrams (" 11" is in every "Stage 11" description): 306 ms cold
 * to visit them all and sort them by time. Its word start "119" names the few slices that hold
 * them, newest first from this table's primary key, and a walk of the newest finds the page.
 *
 * The table only grows with new words and slices (about 13 rows per tenant and slice for the
 * benchmark's descriptions): it holds a superset, since an event's deletion leaves its prefixes,
 * which a read then finds nothing behind. Rows of infinite event times (only a hand-made row can
 * have one) have no slice and are not kept.
 */

/** A word's start: a character that is no ASCII letter or digit, then 2 to 4 that are. */
export const WORD_START = '[^0-9a-z]([0-9a-z]{2,4})';

/**
 * The width of a slice, in minutes (a divisor of 60), as an SQL interval and in milliseconds. A
 * keyword page walks the newest slice holding its word starts from its end: the narrower, the
 * fewer events after its newest match it reads (a cold read of each, ten million events back).
 */
const SLICE_MINUTES = 5;
export const SLICE_INTERVAL = `interval '${SLICE_MINUTES} minutes'`;
export const SLICE_MS = SLICE_MINUTES * 60_000;

/**
 * The slice (its first instant) of a finite event time, an SQL expression: UTC five minutes. Never
 * later than the time itself, so that the latest time PostgreSQL holds has one too.
 */
export function sliceOf(timestamp: string): string {
  return `(date_trunc('hour', ${timestamp}, 'UTC') + floor(extract(minute from ${timestamp}
    at time zone 'UTC') / ${SLICE_MINUTES}) * ${SLICE_INTERVAL})`;
}

/**
 * The rows of ff_description_prefixes for the events `rows` (an SQL relation with tenant_id,
 * event_timestamp and event_description), in key order: two statements inserting the same keys
 * take their locks in the same order, so neither waits on the other for ever.
 */
export function prefixRows(rows: string): string {
  return `select distinct r.tenant_id, left(w.run[1], n.length) as prefix,
      ${sliceOf('r.event_timestamp')} as slice
    from ${rows} as r
    cross join lateral regexp_matches(lower(r.event_description), '${WORD_START}', 'g') as w(run)
    cross join lateral generate_series(2, length(w.run[1])) as n(length)
    where isfinite(r.event_timestamp)
    order by 1, 2, 3`;
}

/** Inserts `rows`' prefixes; those already kept are left as they are. */
export function insertPrefixes(rows: string): string {
  return `insert into ff_description_prefixes (tenant_id, prefix, slice) ${prefixRows(rows)}
    on conflict do nothing`;
}

/**
 * The statement-level trigger that keeps the table as events are inserted, by any writer: the
 * write path, the outage spool's replay, an older instance during a deploy, a hand-run INSERT.
 * Descriptions, tenants and event times are never updated, so inserts are all it follows.
 */
export const PREFIX_TRIGGER = [
  `create or replace function ff_events_prefixes_insert() returns trigger language plpgsql as $$
    begin ${insertPrefixes('new_rows')}; return null; end $$`,
  `create or replace trigger ff_events_prefixes_insert after insert on ff_events
    referencing new table as new_rows
    for each statement execute function ff_events_prefixes_insert()`,
];

/** The prefixes of the events with ids in (?, ?]: the migration's backfill, in batches. */
export const BACKFILL_BATCH = insertPrefixes(
  '(select tenant_id, event_timestamp, event_description from ff_events where id > ? and id <= ?)',
);
