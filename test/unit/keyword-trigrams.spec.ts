import {
  MAX_INDEXED_TRIGRAMS,
  rareTrigrams,
  type TrigramShares,
} from '../../src/event-store/queries/keyword-trigrams.js';

/** Shares as ANALYZE lists them for the benchmark's descriptions ("Stage 3 completed for onboarding 123453"). */
function shares(listed: Record<string, number>, unlisted = 0.001): TrigramShares {
  return { listed: (trigram) => listed[trigram], unlisted };
}

const COMMON = Object.fromEntries(
  [
    ...['onb', 'nbo', 'boa', 'oar', 'ard', 'rdi', 'din', 'ing', 'sta', 'tag', 'age'],
    ...[' on', 'ng ', ' st', 'ge '],
  ].map((t) => [t, 1]),
);

describe('rareTrigrams', () => {
  it('asks the index for the rare trigrams of a keyword, rarest first, then those that still filter', () => {
    const known = shares({ ...COMMON, ' 12': 0.3, '123': 0.0048, '345': 0.0046, '234': 0.06 });
    expect(rareTrigrams('onboarding 123453', known)).toEqual(['%453%', '%345%', '%123%', '%234%']);
  });

  it("asks for a word's start after a sign, which the descriptions' words start with too", () => {
    const known = shares({ ...COMMON, '108': 0.004, '085': 0.004, ' 10': 0.094 });
    expect(rareTrigrams('onboarding 1085', known)).toEqual(['%108%', '%085%', '% 10%']);
  });

  it('asks for trigrams that only filter when a rare one is asked for', () => {
    expect(rareTrigrams('onboarding 10', shares({ ...COMMON, ' 10': 0.094 }))).toEqual([]);
  });

  it('takes an unlisted trigram to be as rare as the least common listed one', () => {
    expect(rareTrigrams('Zqx', shares({}, 0.002))).toEqual(['%zqx%']);
    expect(rareTrigrams('Zqx', shares({}, 0.2))).toEqual([]);
  });

  it('gives none when every trigram is common, or nothing is known of the descriptions', () => {
    expect(rareTrigrams('Stage onboarding', shares(COMMON))).toEqual([]);
    expect(rareTrigrams('onboarding 123453', undefined)).toEqual([]);
  });

  it("takes trigrams only from ASCII letters and digits, and a word's padding only beside an ASCII sign", () => {
    // "é" and the Kelvin sign (U+212A) may be letters of a word to pg_trgm: no padding beside them.
    expect(rareTrigrams('é9ab \u212Aab', shares({}))).toEqual(['%9ab%', '%ab %']);
    expect(rareTrigrams('x_AB1-2cd', shares({}))).toEqual([
      '%ab1%',
      '%\\_ab%',
      '%b1-%',
      '%2cd%',
      '%-2c%',
    ]);
    expect(rareTrigrams('INV-42Q9', shares({ inv: 0.01 }))).toEqual([
      '%nv-%',
      '%42q%',
      '%2q9%',
      '%-42%',
      '%inv%',
    ]);
  });

  it(`asks for at most ${MAX_INDEXED_TRIGRAMS} trigrams, the rarest`, () => {
    const uuid = '8f3a9c2e-41d7-4b8e-9a61-0c5f7e2d3b19';
    const picked = rareTrigrams(uuid, shares({ '8f3': 0.0001, '3b1': 0.0002 }, 0.001));
    expect(picked).toHaveLength(MAX_INDEXED_TRIGRAMS);
    expect(picked.slice(0, 2)).toEqual(['%8f3%', '%3b1%']);
  });
});
