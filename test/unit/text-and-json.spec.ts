import { isRawJSON, parseJsonExactly } from '../../src/common/json/exact-json.js';
import { scanJson } from '../../src/common/json/json-scan.js';
import { parseTimestamp } from '../../src/common/timestamp.js';
import { truncate } from '../../src/common/truncate.js';

const LIMITS = { maxEntries: 10, maxDepth: 3 };

describe('scanJson', () => {
  it('passes what may be parsed, and says whether a number may be inexact', () => {
    expect(scanJson('{"a":[1,2.5,"x"],"b":{"c":null}}', LIMITS)).toEqual({
      hasInexactNumbers: false,
    });
    expect(scanJson('{"a":1e400}', LIMITS).hasInexactNumbers).toBe(true);
    expect(scanJson('{"a":12345678901234567}', LIMITS).hasInexactNumbers).toBe(true);
    expect(scanJson('{"a":"1234567890123456"}', LIMITS).hasInexactNumbers).toBe(false);
  });

  it('names the place of a problem as a path', () => {
    expect(scanJson('{"a":{"b":[1,"\\u0000"]}}', LIMITS).problem).toBe(
      'a.b[1] contains a NUL character (\\u0000), which cannot be stored',
    );
    expect(scanJson('["\\udc00"]', LIMITS, 'data').problem).toBe(
      'data[0] contains an unpaired surrogate (\\ud800-\\udfff escape), which is not Unicode text',
    );
    expect(scanJson('{"a":[[[[1]]]]}', LIMITS).problem).toBe(
      'a[0][0] is nested more than 3 levels deep',
    );
  });

  it('takes escaped surrogate pairs and raw emoji as the Unicode they are', () => {
    expect(scanJson('{"a":"\\ud83d\\ude00 😀"}', LIMITS).problem).toBeUndefined();
    expect(scanJson('{"a":"\\ud83d x"}', LIMITS).problem).toMatch(/unpaired surrogate/);
  });

  it('counts keys and array items over the whole document, and stops at the limit', () => {
    expect(scanJson(`[${'1,'.repeat(9)}1]`, LIMITS).problem).toBeUndefined();
    const over = scanJson(`{"a":[${'1,'.repeat(10)}1]}`, LIMITS);
    expect(over).toMatchObject({
      tooLarge: true,
      problem: 'a holds more than 10 keys and array items',
    });
    expect(scanJson('{"a":[],"b":{}}', LIMITS).problem).toBeUndefined();
  });

  it('refuses a number that jsonb would print with more than 1000 digits', () => {
    expect(scanJson('[1e999, -1e-998, 0.5e1000]', LIMITS).problem).toBeUndefined();
    expect(scanJson('[1e1000]', LIMITS).problem).toBe(
      'the body[0] holds a number (1e1000) of more than 1000 digits written out; send it as a string',
    );
    expect(scanJson('{"n":1e-1000}', LIMITS).problem).toMatch(/^n holds a number \(1e-1000\)/);
    expect(scanJson(`[${'9'.repeat(1001)}]`, LIMITS).problem).toMatch(/more than 1000 digits/);
  });

  it('refuses numbers in exponent form that together would grow the document by more than 10000 digits', () => {
    const numbers = (n: number) => `[${Array.from({ length: n }, () => '1e400').join(',')}]`;
    const limits = { maxEntries: 100, maxDepth: 3 };
    expect(scanJson(numbers(25), limits).problem).toBeUndefined();
    expect(scanJson(numbers(26), limits).problem).toBe(
      'the body[25] holds numbers in exponent form (1e400) that would take more than 10000 digits more when stored; write them out or send them as strings',
    );
  });

  it('asks for the exact parse only when some number is not exact as a double', () => {
    expect(scanJson('[1e5, 2.50, 123456789012345.6e1]', LIMITS).hasInexactNumbers).toBe(false);
    expect(scanJson('[1e5, 12345678901234567890]', LIMITS).hasInexactNumbers).toBe(true);
  });
});

describe('parseJsonExactly', () => {
  it('keeps numbers a double cannot hold as their source text, and the rest as numbers', () => {
    const value = parseJsonExactly(
      '{"a":12345678901234567890,"b":1.50,"c":1e2,"d":0.1,"e":1e400}',
    ) as Record<string, unknown>;
    expect(isRawJSON(value.a)).toBe(true);
    expect(value.b).toBe(1.5);
    expect(value.c).toBe(100);
    expect(value.d).toBe(0.1);
    expect(JSON.stringify(value)).toBe(
      '{"a":12345678901234567890,"b":1.5,"c":100,"d":0.1,"e":1e400}',
    );
  });

  it('refuses __proto__ keys', () => {
    expect(() => parseJsonExactly('{"__proto__":{"x":1}}')).toThrow(/prototype/);
  });
});

describe('parseTimestamp', () => {
  it.each([
    ['2024-05-01', '2024-05-01T00:00:00.000Z'],
    ['2024-05-01T10:00', '2024-05-01T10:00:00.000Z'],
    ['2024-05-01 10:00:05.123456Z', '2024-05-01T10:00:05.123Z'],
    ['2024-05-01T10:00:00-03:30', '2024-05-01T13:30:00.000Z'],
    ['2024-02-29T00:00:00+0100', '2024-02-28T23:00:00.000Z'],
    ['0001-01-01', '0001-01-01T00:00:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseTimestamp(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '2024-W05-3',
    '2024-366',
    '2023-02-29',
    '2024-13-01',
    '2024-01-01T24:00',
    '0000-01-01',
    '2024-01-01T10:00+25:00',
    'now',
  ])('refuses %s', (text) => {
    expect(parseTimestamp(text)).toBeUndefined();
  });
});

describe('truncate', () => {
  it('keeps text that fits in code points, even when longer in UTF-16 units', () => {
    expect(truncate('😀'.repeat(5), 5)).toBe('😀'.repeat(5));
  });

  it('cuts on a character boundary, ending in an ellipsis within the limit', () => {
    expect(truncate(`${'a'.repeat(3)}😀😀`, 4)).toBe('aaa…');
    expect(truncate(`aa😀😀b`, 4)).toBe('aa😀…');
    expect([...truncate('😀'.repeat(10), 4)]).toHaveLength(4);
  });
});
