/**
 * Which trigrams of a keyword to ask the trigram index (idx_ff_events_description_trgm) for.
 *
 * GIN answers `ILIKE '%keyword%'` by intersecting the posting lists of every trigram pg_trgm
 * takes from the keyword, and it advances each list to every row the rarest one holds. A keyword
 * that shares trigrams with most descriptions ("onboarding 123453" shares onb, nbo, … ing with
 * every event of the benchmark) reads those long lists nearly whole, a cost that grows with the
 * table: 4,242 index pages for one match at 1,000,000 events. Asking the index for the keyword's
 * rare trigrams alone, and checking the whole keyword on the rows they find, reads 87.
 *
 * How rare a trigram is comes from ANALYZE (DescriptionTrigramsQuery). Only trigrams of three
 * ASCII letters or digits are chosen: pg_trgm takes such a run of a LIKE pattern as exactly that
 * trigram in every locale, and `ILIKE '%abc%'` holds for every description that contains the
 * keyword, so the choice changes what the page costs, never what it finds.
 */

/** A trigram in at most this share of descriptions is rare enough to ask the index for. */
export const RARE_TRIGRAM_SHARE = 0.05;

/** At most this many trigrams go to the index: a few rare ones already leave few rows. */
export const MAX_INDEXED_TRIGRAMS = 6;

/** The share of descriptions holding each trigram, as ANALYZE sampled them. */
export interface TrigramShares {
  /** The share of a trigram ANALYZE listed; undefined for one it did not. */
  listed(trigram: string): number | undefined;
  /** What an unlisted trigram is taken to be: no more than the least common listed one. */
  readonly unlisted: number;
}

/**
 * The keyword's rarest trigrams under RARE_TRIGRAM_SHARE, rarest first; empty when it has none
 * (or nothing is known of the descriptions), and the index is then asked for the whole keyword.
 */
export function rareTrigrams(keyword: string, shares: TrigramShares | undefined): string[] {
  if (!shares) return [];
  const trigrams = new Set<string>();
  // Original case decides what is ASCII: a sign that only lower-cases to a letter (K, U+212A) is
  // not one pg_trgm and ILIKE are sure to treat as that letter.
  for (const run of keyword.match(/[A-Za-z0-9]{3,}/g) ?? []) {
    const word = run.toLowerCase();
    for (let at = 0; at + 3 <= word.length; at += 1) trigrams.add(word.slice(at, at + 3));
  }
  return [...trigrams]
    .map((trigram) => ({ trigram, share: shares.listed(trigram) ?? shares.unlisted }))
    .filter(({ share }) => share <= RARE_TRIGRAM_SHARE)
    .sort((a, b) => a.share - b.share)
    .slice(0, MAX_INDEXED_TRIGRAMS)
    .map(({ trigram }) => trigram);
}
