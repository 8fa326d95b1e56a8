import {
  MAX_COMMON_TRIGRAMS,
  MAX_INDEXED_TRIGRAMS,
  indexedTrigrams,
  keywordShare,
  keywordWordEdges,
  type TrigramShares,
} from '../../src/event-store/queries/keyword-trigrams.js';

/** Shares as ANALYZE lists them for the benchmark's descriptions ("Stage 3 completed for onboarding 123453"). */
function shares(listed: Record<string, number>, unlisted = 0.001): TrigramShares {
  return { listed: (trigram) => listed[trigram], unlisted };
}

const COMMON_TRIGRAMS = [
  ...['onb', 'nbo', 'boa', 'oar', 'ard', 'rdi', 'din', 'ing', 'sta', 'tag', 'age'],
  ...[' on', 'ng ', ' st', 'ge '],
];
const COMMON = Object.fromEntries(COMMON_TRIGRAMS.map((t) => [t, 1]));

describe('indexedTrigrams', () => {
  it('asks the index for the rare trigrams of a keyword, rarest first, then those that still filter', () => {
    const known = shares({ ...COMMON, ' 12': 0.3, '123': 0.0048, '345': 0.0046, '234': 0.06 });
    const trigrams = [...COMMON_TRIGRAMS, ' 12', '123', '234', '345', '453'];
    expect(indexedTrigrams(trigrams, known)).toEqual(['453', '345', '123', '234']);
  });

  it("asks for a word's start, which the descriptions' words start with too", () => {
    const known = shares({ ...COMMON, '108': 0.004, '085': 0.004, ' 10': 0.094 });
    expect(indexedTrigrams([...COMMON_TRIGRAMS, ' 10', '085', '108'], known)).toEqual([
      '085',
      '108',
      ' 10',
    ]);
  });

  it('takes an unlisted trigram to be as rare as the least common listed one', () => {
    expect(indexedTrigrams(['zqx'], shares({}, 0.002))).toEqual(['zqx']);
  });

  it(`asks for the ${MAX_COMMON_TRIGRAMS} rarest when none is rare, where a rare keyword of common words is found`, () => {
    const known = shares({ ...COMMON, ' 10': 0.094, 'ng ': 0.5 });
    const picked = indexedTrigrams([...COMMON_TRIGRAMS, ' 10'], known);
    expect(picked).toHaveLength(MAX_COMMON_TRIGRAMS);
    expect(picked.slice(0, 2)).toEqual([' 10', 'ng ']);
  });

  it('asks for the first trigrams when nothing is known of the descriptions', () => {
    const trigrams = Array.from({ length: 20 }, (_, i) => `t${String(i).padStart(2, '0')}`);
    expect(indexedTrigrams(trigrams, undefined)).toEqual(trigrams.slice(0, MAX_COMMON_TRIGRAMS));
  });

  it('asks for nothing when the keyword has no trigram', () => {
    expect(indexedTrigrams([], shares(COMMON))).toEqual([]);
    expect(indexedTrigrams([], undefined)).toEqual([]);
  });

  it(`asks for at most ${MAX_INDEXED_TRIGRAMS} rare trigrams, the rarest`, () => {
    const uuid = ['8f3', 'f3a', '3a9', 'a9c', '9c2', 'c2e', '41d', '1d7', '3b1'];
    const picked = indexedTrigrams(uuid, shares({ '8f3': 0.0001, '3b1': 0.0002 }, 0.001));
    expect(picked).toHaveLength(MAX_INDEXED_TRIGRAMS);
    expect(picked.slice(0, 2)).toEqual(['8f3', '3b1']);
  });
});

describe('keywordWordEdges', () => {
  it('gives the two ASCII letters or digits of a word after or before an ASCII sign, in their case', () => {
    expect(keywordWordEdges('onboarding 1085')).toEqual({ starts: ['10'], ends: ['ng'] });
    expect(keywordWordEdges('x_AB1-2cd')).toEqual({ starts: ['AB', '2c'], ends: ['B1'] });
    expect(keywordWordEdges('INV-42Q9')).toEqual({ starts: ['42'], ends: ['NV'] });
  });

  it('gives no edge beside a character outside ASCII, which may be a letter of the word to pg_trgm', () => {
    // "é" and the Kelvin sign (U+212A) may be letters: 9ab and Kab are no word's start.
    expect(keywordWordEdges('é9ab \u212Aab')).toEqual({ starts: [], ends: ['ab'] });
  });

  it("gives no edge of a one-letter word, nor at the keyword's own ends", () => {
    expect(keywordWordEdges('a b')).toEqual({ starts: [], ends: [] });
    expect(keywordWordEdges('ab')).toEqual({ starts: [], ends: [] });
  });
});

describe('keywordShare', () => {
  it('takes the trigrams asked for as independent: the product of their shares', () => {
    expect(keywordShare([' 42'], shares({ ' 42': 0.011 }))).toBeCloseTo(0.011);
    expect(keywordShare(['105', '050'], shares({ '105': 0.02, '050': 0.03 }))).toBeCloseTo(0.0006);
    expect(keywordShare(['zqx'], shares({}, 0.002))).toBeCloseTo(0.002);
  });

  it('knows nothing without statistics or trigrams', () => {
    expect(keywordShare([' 42'], undefined)).toBeUndefined();
    expect(keywordShare([], shares({}))).toBeUndefined();
  });
});
