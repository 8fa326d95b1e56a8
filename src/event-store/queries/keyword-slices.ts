import { SLICE_INTERVAL, WORD_START } from '../../database/migrations/sql/description-prefixes.js';
import type { SortOrder } from './event-query.js';
import type { Statement } from './event.queries.js';

/**
 * To tell which of a keyword's word starts is the rarest, the slices of each are counted
 * up to this many: a start that every slice holds costs no more than this to weigh. When
 * the rarest is in this many, no slice is named: walking them would cost more than the
 * description index does, and the statement less than these rows of the primary key.
 */
export const RAREST_COUNTED = 2_000;

/** A row of keywordSlicesStatement. */
export type KeywordSlice = { keys: number; held: number; slice: number | null };

/**
 * The slices (ff_description_prefixes, see sql/description-prefixes.ts) of a tenant in
 * which a description holds every word start of `keyword`, in `order`, those overlapping the
 * latest of `from` and the earliest of `to` (undefined ones left out; open when none is given), at
 * most `limit` of them.
 *
 * A keyword's word starts are found the way the trigger finds a description's, in its lower-cased
 * text: after a character that is no ASCII letter or digit, its first 2 to 4 letters and digits.
 * Every description holding the keyword (as ILIKE finds it: lower-cased too) holds the same
 * characters at that place, so it holds those starts (its word may go on, and its 2 to 4 first
 * characters are kept): a slice left out holds no match. The keyword's first word is not
 * one, since a description's word may begin before it.
 *
 * The slices come from the rarest start's rows of the primary key (tenant_id, prefix, slice), in
 * its order; each is kept when the other starts' rows hold it too (a lookup of the key each).
 * Every row holds `keys`, the number of the keyword's word starts (0: the table cannot help it),
 * `held`, the slices of its rarest start (all of the tenant's, counted up to
 * RAREST_COUNTED, when none is named), and a slice's first instant (ms since 1970), or, when none
 * is found, null.
 */
export function keywordSlicesStatement(
  tenantId: string,
  keyword: string,
  order: SortOrder,
  from: readonly (Date | string | undefined)[],
  to: readonly (Date | string | undefined)[],
  limit: number,
): Statement {
  const bound = (values: readonly unknown[]) =>
    [null, ...values].map(() => '?::timestamptz').join(', ');
  return {
    sql: `with keys as (
            select distinct w.run[1] as prefix
            from regexp_matches(lower(?::text), '${WORD_START}', 'g') as w(run)
          ), rarest as (
            select k.prefix, held.n as held from keys as k,
              lateral (select count(*)::int as n from (
                select from ff_description_prefixes as p
                where p.tenant_id = ? and p.prefix = k.prefix limit ${RAREST_COUNTED}
              ) as few) as held
            order by held.n, k.prefix
            limit 1
          ), slices as (
            select s.slice from rarest
            join ff_description_prefixes as s on s.tenant_id = ? and s.prefix = rarest.prefix
            where rarest.held < ${RAREST_COUNTED}
              and s.slice > coalesce(greatest(${bound(from)}), '-infinity') - ${SLICE_INTERVAL}
              and s.slice <= coalesce(least(${bound(to)}), 'infinity')
              and not exists (select from keys as k where not exists (
                select from ff_description_prefixes as o
                where o.tenant_id = s.tenant_id and o.prefix = k.prefix and o.slice = s.slice))
            order by s.slice ${order}
            limit ?
          )
          select (select count(*)::int from keys) as keys,
            coalesce((select held from rarest), 0) as held,
            (extract(epoch from slices.slice) * 1000)::float8 as slice
          from (select) as one left join slices on true
          order by slices.slice ${order}`,
    params: [
      keyword,
      tenantId,
      tenantId,
      ...[undefined, ...from].map(toParam),
      ...[undefined, ...to].map(toParam),
      limit,
    ],
  };
}

function toParam(value: Date | string | undefined): string | null {
  if (value === undefined) return null;
  return value instanceof Date ? value.toISOString() : value;
}
