/**
 * Which of a keyword's trigrams (KeywordTrigramsQuery) to ask the description index
 * (idx_ff_events_description_keys) for.
 *
 * GIN answers a containment of several keys by intersecting their posting lists, and it advances
 * each list to every row the rarest one holds. A keyword that shares trigrams with most
 * descriptions ("onboarding 123453" shares onb, nbo, … ing with every event of the benchmark)
 * reads those long lists nearly whole, a cost that grows with the table: 4,242 index pages for one
 * match at 1,000,000 events. Asking the index for the keyword's rare trigrams alone, and checking
 * the whole keyword on the rows they find, reads 87.
 *
 * How rare a trigram is comes from ANALYZE (DescriptionTrigramsQuery). Every trigram the keyword
 * gives is one every description holding it holds, so the choice changes what the page costs,
 * never what it finds.
 */

/** A trigram in at most this share of descriptions is rare enough to ask the index for. */
export const RARE_TRIGRAM_SHARE = 0.05;

/**
 * Once a rare trigram is asked for, a trigram in at most this share of descriptions is asked for
 * too: GIN checks it only at the rows the rarer ones hold, and each row it rules out is one heap
 * visit fewer ("onboarding 1085" at 10M: its word-start trigram " 10", in 9% of descriptions, left
 * 134 rows of the 596 that 085 and 108 held).
 */
export const FILTERING_TRIGRAM_SHARE = 0.25;

/** At most this many rare trigrams go to the index: a few already leave few rows. */
export const MAX_INDEXED_TRIGRAMS = 6;

/**
 * When no trigram is rare, or nothing is known of the descriptions, at most this many, the rarest
 * (or the first) of them: a rare keyword of common words is found only where all of them meet.
 */
export const MAX_COMMON_TRIGRAMS = 16;

/** The share of descriptions holding each trigram, as ANALYZE sampled them. */
export interface TrigramShares {
  /** The share of a trigram ANALYZE listed; undefined for one it did not. */
  listed(trigram: string): number | undefined;
  /** What an unlisted trigram is taken to be: no more than the least common listed one. */
  readonly unlisted: number;
}

/**
 * The trigrams to ask the index for, rarest first: those under RARE_TRIGRAM_SHARE, then, when
 * there are any, those under FILTERING_TRIGRAM_SHARE, at most MAX_INDEXED_TRIGRAMS in all; when
 * none is rare, the MAX_COMMON_TRIGRAMS rarest. Empty only for a keyword without trigrams.
 */
export function indexedTrigrams(
  trigrams: readonly string[],
  shares: TrigramShares | undefined,
): string[] {
  if (!shares) return trigrams.slice(0, MAX_COMMON_TRIGRAMS);
  const ranked = trigrams
    .map((trigram) => ({ trigram, share: shares.listed(trigram) ?? shares.unlisted }))
    .sort((a, b) => a.share - b.share);
  if (ranked.length === 0 || ranked[0].share > RARE_TRIGRAM_SHARE) {
    return ranked.slice(0, MAX_COMMON_TRIGRAMS).map(({ trigram }) => trigram);
  }
  return ranked
    .filter(({ share }) => share <= FILTERING_TRIGRAM_SHARE)
    .slice(0, MAX_INDEXED_TRIGRAMS)
    .map(({ trigram }) => trigram);
}

/**
 * The two characters, in the keyword's case, of each word's start after an ASCII sign (a space, a
 * dash) and of each word's end before one, where both are ASCII letters or digits: pg_trgm starts
 * or ends a word at such a sign, in every description holding the keyword as in the keyword, and
 * pads it, " ab" and "yz ". Original case decides what is ASCII: a sign that only lower-cases to a
 * letter, K U+212A, is not one pg_trgm is sure to take as that letter.
 */
export function keywordWordEdges(keyword: string): { starts: string[]; ends: string[] } {
  const starts: string[] = [];
  const ends: string[] = [];
  for (let at = 0; at + 3 <= keyword.length; at += 1) {
    const three = keyword.slice(at, at + 3);
    if (ASCII_SIGN.test(three[0]) && ASCII_WORD.test(three.slice(1))) starts.push(three.slice(1));
    if (ASCII_WORD.test(three.slice(0, 2)) && ASCII_SIGN.test(three[2]))
      ends.push(three.slice(0, 2));
  }
  return { starts, ends };
}

/** A printable ASCII character that is no letter or digit, or a space: no word in any locale. */
const ASCII_SIGN = /^[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]$/;
const ASCII_WORD = /^[A-Za-z0-9]{2}$/;

/**
 * The share of descriptions expected to hold every one of `trigrams` (those asked of the index),
 * taking them to be independent: an estimate of a keyword's share, to tell before counting
 * whether its matches are many. Undefined when nothing is known, or no trigram is asked for.
 */
export function keywordShare(
  trigrams: readonly string[],
  shares: TrigramShares | undefined,
): number | undefined {
  if (!shares || trigrams.length === 0) return undefined;
  return trigrams.reduce(
    (share, trigram) => share * (shares.listed(trigram) ?? shares.unlisted),
    1,
  );
}
