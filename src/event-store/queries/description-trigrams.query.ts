import { Inject, Injectable } from '@nestjs/common';
import { ReadPool } from '../../database/read-pool.js';
import { BoundSql, type SqlExecutor } from '../../database/sql.js';
import type { TrigramShares } from './keyword-trigrams.js';

/**
 * The trigrams ANALYZE found most often in descriptions, with the share of rows holding each:
 * the element statistics of `show_trgm(event_description)`, an expression statistics object of
 * AddDescriptionTrigramStatistics_20261203 that ANALYZE (and autovacuum's) keeps. The view shows
 * them to the table owner's roles only; to anyone else, and before the first ANALYZE, there are
 * none, and keyword pages ask the index for every trigram as before.
 *
 * most_common_elem_freqs holds one share per element, then the least and the greatest of them and
 * the share of null elements.
 */
const STATISTICS = new BoundSql(`
  select most_common_elems::text::text[] as trigrams, most_common_elem_freqs as shares
  from pg_stats_ext_exprs
  where statistics_schemaname = current_schema()
    and statistics_name = 'ff_events_description_trigrams'
  limit 1`);

/** ANALYZE's figures move slowly: read again after this long. */
const REFRESH_MS = 10 * 60_000;

@Injectable()
export class DescriptionTrigramsQuery {
  private cached: { readonly at: number; readonly shares: Promise<TrigramShares | undefined> } = {
    at: -Infinity,
    shares: Promise.resolve(undefined),
  };

  constructor(@Inject(ReadPool) private readonly db: SqlExecutor) {}

  /** The current shares, read at most once per REFRESH_MS (callers meanwhile share one read). */
  shares(): Promise<TrigramShares | undefined> {
    if (performance.now() - this.cached.at > REFRESH_MS) {
      const shares = this.read();
      this.cached = { at: performance.now(), shares };
      // A failed read is not kept: the next page asks again.
      shares.catch(() => {
        if (this.cached.shares === shares) this.cached = { at: -Infinity, shares };
      });
    }
    return this.cached.shares;
  }

  private async read(): Promise<TrigramShares | undefined> {
    const [row] = await STATISTICS.run<{ trigrams: string[] | null; shares: number[] | null }>(
      this.db,
      [],
    );
    const trigrams = row?.trigrams ?? [];
    const shares = row?.shares ?? [];
    if (trigrams.length === 0 || shares.length <= trigrams.length) return undefined;
    const listed = new Map(trigrams.map((trigram, at) => [trigram, shares[at]]));
    const unlisted = shares[trigrams.length];
    return { listed: (trigram) => listed.get(trigram), unlisted };
  }
}
