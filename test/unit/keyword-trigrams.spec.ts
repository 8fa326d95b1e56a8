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
  ['onb', 'nbo', 'boa', 'oar', 'ard', 'rdi', 'din', 'ing', 'sta', 'tag', 'age'].map((t) => [t, 1]),
);

describe('rareTrigrams', () => {
  it('asks the index for the rare trigrams of a keyword, rarest first, and not the common ones', () => {
    const known = shares({ ...COMMON, '123': 0.0048, '345': 0.0046, '234': 0.06 });
    expect(rareTrigrams('onboarding 123453', known)).toEqual(['453', '345', '123']);
  });

  it('takes an unlisted trigram to be as rare as the least common listed one', () => {
    expect(rareTrigrams('Zqx', shares({}, 0.002))).toEqual(['zqx']);
    expect(rareTrigrams('Zqx', shares({}, 0.2))).toEqual([]);
  });

  it('gives none when every trigram is common, or nothing is known of the descriptions', () => {
    expect(rareTrigrams('Stage onboarding', shares(COMMON))).toEqual([]);
    expect(rareTrigrams('onboarding 123453', undefined)).toEqual([]);
  });

  it('takes trigrams only from runs of three ASCII letters or digits, lower-cased', () => {
    // "ab" and "é9" hold no such run; the Kelvin sign (U+212A) is not the letter k.
    expect(rareTrigrams('ab é9 \u212Aab', shares({}))).toEqual([]);
    expect(rareTrigrams('x_AB1-2cd', shares({}))).toEqual(['ab1', '2cd']);
    expect(rareTrigrams('INV-42Q9', shares({ inv: 0.01 }))).toEqual(['42q', '2q9', 'inv']);
  });

  it(`asks for at most ${MAX_INDEXED_TRIGRAMS} trigrams, the rarest`, () => {
    const uuid = '8f3a9c2e-41d7-4b8e-9a61-0c5f7e2d3b19';
    const picked = rareTrigrams(uuid, shares({ '8f3': 0.0001, '3b1': 0.0002 }, 0.001));
    expect(picked).toHaveLength(MAX_INDEXED_TRIGRAMS);
    expect(picked.slice(0, 2)).toEqual(['8f3', '3b1']);
  });
});
