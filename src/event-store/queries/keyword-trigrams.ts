import { escapeLike } from '../../common/escape-like.js';

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
 * How rare a trigram is comes from ANALYZE (DescriptionTrigramsQuery). Only trigrams of ASCII
 * letters and digits (and the padding of a word's start or end after or before an ASCII sign)
 * are chosen: pg_trgm takes them from a LIKE pattern exactly so in every locale, and each pattern
 * holds for every description that contains the keyword, so the choice changes what the page
 * costs, never what it finds.
 */

/** A trigram in at most this share of descriptions is rare enough to ask the index for. */
export const RARE_TRIGRAM_SHARE = 0.05;

/**
 * Once a rare trigram is asked for, a trigram in at most this share of descriptions is asked for
 * too: GIN checks it only at the rows the rarer ones hold (one posting-tree page each, a tree
 * that common stays in shared buffers), and each row it rules out is one heap visit fewer
 * ("onboarding 1085" at 10M: its word-start trigram " 10", in 9% of descriptions, left 134 rows
 * of the 596 that 085 and 108 held).
 */
export const FILTERING_TRIGRAM_SHARE = 0.25;

/** At most this many trigrams go to the index: a few rare ones already leave few rows. */
export const MAX_INDEXED_TRIGRAMS = 6;

/** The share of descriptions holding each trigram, as ANALYZE sampled them. */
export interface TrigramShares {
  /** The share of a trigram ANALYZE listed; undefined for one it did not. */
  listed(trigram: string): number | undefined;
  /** What an unlisted trigram is taken to be: no more than the least common listed one. */
  readonly unlisted: number;
}

/** A trigram of the keyword, as pg_trgm names it, and the LIKE pattern that asks the index for it. */
interface KeywordTrigram {
  readonly trigram: string;
  readonly pattern: string;
}

/**
 * The keyword's trigrams to ask the index for, each as the LIKE pattern (for `ILIKE ?`) that asks
 * for it, rarest first: those under RARE_TRIGRAM_SHARE, then, when there are any, those under
 * FILTERING_TRIGRAM_SHARE, at most MAX_INDEXED_TRIGRAMS in all. Empty when none is rare (or
 * nothing is known of the descriptions), and the index is then asked for the whole keyword.
 */
export function rareTrigrams(keyword: string, shares: TrigramShares | undefined): string[] {
  if (!shares) return [];
  const byTrigram = new Map(keywordTrigrams(keyword).map((t) => [t.trigram, t.pattern]));
  const ranked = [...byTrigram]
    .map(([trigram, pattern]) => ({ pattern, share: shares.listed(trigram) ?? shares.unlisted }))
    .sort((a, b) => a.share - b.share);
  if (ranked.length === 0 || ranked[0].share > RARE_TRIGRAM_SHARE) return [];
  return ranked
    .filter(({ share }) => share <= FILTERING_TRIGRAM_SHARE)
    .slice(0, MAX_INDEXED_TRIGRAMS)
    .map(({ pattern }) => pattern);
}

/**
 * The trigrams every description holding the keyword holds, from its runs of ASCII letters and
 * digits (original case decides what is ASCII: a sign that only lower-cases to a letter, K
 * U+212A, is not one pg_trgm and ILIKE are sure to treat as that letter):
 * - each three characters of a run, `%abc%`;
 * - where a run of two or more follows an ASCII sign in the keyword (a space, a dash), the
 *   word-start trigram pg_trgm pads it with, " ab", asked for by `%-ab%`: pg_trgm starts a word
 *   after any such sign, in the pattern as in the description, and pads neither side of a `%`;
 * - likewise where a run is followed by one, the word-end trigram "yz ", by `%yz-%`.
 */
function keywordTrigrams(keyword: string): KeywordTrigram[] {
  const found: KeywordTrigram[] = [];
  for (const run of keyword.matchAll(/[A-Za-z0-9]+/g)) {
    const word = run[0].toLowerCase();
    for (let at = 0; at + 3 <= word.length; at += 1) {
      found.push({ trigram: word.slice(at, at + 3), pattern: `%${word.slice(at, at + 3)}%` });
    }
    if (word.length < 2) continue;
    const before = keyword[run.index - 1];
    const after = keyword[run.index + word.length];
    if (before !== undefined && ASCII_SIGN.test(before)) {
      found.push({
        trigram: ` ${word.slice(0, 2)}`,
        pattern: `%${escapeLike(before)}${word.slice(0, 2)}%`,
      });
    }
    if (after !== undefined && ASCII_SIGN.test(after)) {
      found.push({
        trigram: `${word.slice(-2)} `,
        pattern: `%${word.slice(-2)}${escapeLike(after)}%`,
      });
    }
  }
  return found;
}

/** A printable ASCII character that is no letter or digit, or a space: no word in any locale. */
const ASCII_SIGN = /^[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]$/;
