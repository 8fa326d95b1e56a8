import fc from 'fast-check';
import { createStoreDatabase, type StoreDatabase } from '../../../test/support/store-database.js';
import { escapeLike } from '../../common/escape-like.js';
import { KeywordTrigramsQuery } from './keyword-trigrams.query.js';

describe('KeywordTrigramsQuery', () => {
  let db: StoreDatabase;

  beforeAll(async () => {
    db = await createStoreDatabase();
  });
  afterAll(() => db.close());

  /** Whether the description index holds every trigram as a key of the description's tenant. */
  async function heldBy(description: string, trigrams: string[]): Promise<boolean> {
    const { rows } = await db.query<{ held: boolean }>(
      `select ff_description_keys('t', now(), $1) @> array(select 't/' || unnest($2::text[]))
        as held`,
      [description, trigrams],
    );
    return rows[0].held;
  }

  it("gives the keyword's trigrams inside its words and at its words' ASCII edges, lower-cased", async () => {
    const trigrams = await new KeywordTrigramsQuery(db.sql).of('Onboarding 1085');
    expect(trigrams).toEqual([
      ' 10',
      '085',
      '108',
      'ard',
      'boa',
      'din',
      'ing',
      'nbo',
      'ng ',
      'oar',
      'onb',
      'rdi',
    ]);
  });

  it("gives pg_trgm's hashed trigrams of letters outside ASCII, where the locale takes them as letters", async () => {
    const trigrams = await new KeywordTrigramsQuery(db.sql).of('阶段完成');
    // Under a C locale (the embedded server's) pg_trgm takes no word from them, so neither
    // does a keyword.
    const { rows } = await db.query<{ letters: boolean }>(
      `select cardinality(show_trgm('阶段完成')) > 0 as letters`,
    );
    if (!rows[0].letters) {
      expect(trigrams).toEqual([]);
      return;
    }
    // Two trigrams inside the word; its padded edges may be letters of a longer word.
    expect(trigrams).toHaveLength(2);
    expect(await heldBy('入职阶段完成了', trigrams)).toBe(true);
    expect(await heldBy('入职阶段完了', trigrams)).toBe(false);
  });

  it('gives none for a keyword of fewer than three letters in a row', async () => {
    expect(await new KeywordTrigramsQuery(db.sql).of('ab')).toEqual([]);
    expect(await new KeywordTrigramsQuery(db.sql).of('a-b c')).toEqual([]);
  });

  it('gives only trigrams that every description holding the keyword, as ILIKE finds it, holds', async () => {
    const query = new KeywordTrigramsQuery(db.sql);
    const letter = fc.constantFrom(...'aAbBkKzZ019_- .,%/éÉ\u212AİıΣσς阶段完成'.split(''));
    const text = fc.array(letter, { minLength: 1, maxLength: 24 }).map((c) => c.join(''));
    const flipCase = (s: string, flips: boolean[]) =>
      [...s].map((c, i) => (flips[i] ? c.toUpperCase() : c.toLowerCase())).join('');
    await fc.assert(
      fc.asyncProperty(
        text,
        fc.nat(),
        fc.nat(),
        fc.array(fc.boolean(), { minLength: 24, maxLength: 24 }),
        async (description, from, length, flips) => {
          const start = from % description.length;
          const keyword = flipCase(
            description.slice(start, start + 1 + (length % (description.length - start))),
            flips,
          );
          const { rows } = await db.query<{ found: boolean }>(
            'select $1::text ilike $2::text as found',
            [description, `%${escapeLike(keyword)}%`],
          );
          if (!rows[0].found) return;
          expect(await heldBy(description, await query.of(keyword))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
