import { Inject, Injectable } from '@nestjs/common';
import { ReadPool } from '../../database/read-pool.js';
import { BoundSql, type SqlExecutor } from '../../database/sql.js';
import { keywordWordEdges } from './keyword-trigrams.js';

/**
 * The trigrams every description that holds a keyword (as ILIKE finds it) holds too, as show_trgm
 * names them: the keys, after the tenant, that idx_ff_events_description_keys is asked for.
 *
 * PostgreSQL makes them, so that they are pg_trgm's own, in the database's collation and for every
 * alphabet (a trigram of characters outside ASCII is a hash only pg_trgm knows):
 * - each three characters of the keyword lower-cased (as ILIKE lower-cases it, and pg_trgm each
 *   word) that pg_trgm takes as one trigram of one word: what show_trgm gives of them and of
 *   neither pair of two (every trigram with a word's padding comes from a word of at most two of
 *   them, which a pair holds too); three that span a space or a sign give none;
 * - the padded start and end of a word beside an ASCII sign (keywordWordEdges).
 * A keyword's first and last characters may be part of a longer word in a description: their
 * padding is never asked for.
 */
const TRIGRAMS = new BoundSql(`
  select trigram from (select lower(?::text) as keyword) as k,
    generate_series(1, length(keyword) - 2) as at,
    lateral (
      select unnest(show_trgm(substr(keyword, at, 3)))
      except select unnest(show_trgm(substr(keyword, at, 2)))
      except select unnest(show_trgm(substr(keyword, at + 1, 2)))
    ) as inner_trigrams(trigram)
  -- Not a key of the description index (ff_description_keys): a hash of letters outside ASCII
  -- that show_trgm prints as two spaces and a letter.
  where trigram not like '  %'
  union
  select ' ' || lower(pair) from unnest(?::text[]) as pair
  union
  select lower(pair) || ' ' from unnest(?::text[]) as pair
  order by trigram`);

/** Keywords whose trigrams are kept: a page's keyword is asked for again as its pages are read. */
const REMEMBERED = 1_000;

@Injectable()
export class KeywordTrigramsQuery {
  private readonly remembered = new Map<string, Promise<string[]>>();

  constructor(@Inject(ReadPool) private readonly db: SqlExecutor) {}

  /** The keyword's trigrams, as show_trgm names them, in their text order. */
  of(keyword: string): Promise<string[]> {
    const known = this.remembered.get(keyword);
    if (known) return known;
    const trigrams = this.read(keyword);
    if (this.remembered.size >= REMEMBERED) {
      this.remembered.delete(this.remembered.keys().next().value as string);
    }
    this.remembered.set(keyword, trigrams);
    // A failed read is not kept: the next page asks again.
    trigrams.catch(() => {
      if (this.remembered.get(keyword) === trigrams) this.remembered.delete(keyword);
    });
    return trigrams;
  }

  private async read(keyword: string): Promise<string[]> {
    const { starts, ends } = keywordWordEdges(keyword);
    const rows = await TRIGRAMS.run<{ trigram: string }>(this.db, [keyword, starts, ends]);
    return rows.map((row) => row.trigram);
  }
}
