import { sameDecimal } from './exact-json.js';

/** Limits a JSON text must keep to, checked before it is parsed. */
export interface JsonLimits {
  /** Object members plus array items, over the whole document. */
  readonly maxEntries: number;
  /** Nesting of objects and arrays. */
  readonly maxDepth: number;
}

export interface JsonScan {
  /** What is wrong with the text, naming where; undefined when it may be parsed. */
  readonly problem?: string;
  /** Whether the entry limit was what failed (a 413 rather than a 400). */
  readonly tooLarge?: boolean;
  /**
   * Whether some number has a value a double does not hold exactly: only then must the parse
   * keep numbers' source text (see parseJsonExactly), which costs a reviver call per value.
   */
  readonly hasInexactNumbers: boolean;
}

/**
 * jsonb keeps a number as numeric and prints it in full decimal: `1e131071` is six bytes sent and
 * 131,072 digits on every read (4,200 of them printed to 550 MB and crashed the reader). A number
 * may have at most this many digits written out...
 */
const MAX_NUMBER_DIGITS = 1_000;
/** ...and the numbers of one document together at most this many more digits than as sent. */
const MAX_EXPANSION = 10_000;
/** A double holds any decimal of up to 15 significant digits exactly. */
const EXACT_DIGITS = 15;

interface Frame {
  readonly array: boolean;
  index: number;
  keyStart: number;
  keyEnd: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * One pass over a JSON text, before JSON.parse builds anything, refusing what would cost the
 * service or PostgreSQL dearly or fail later as a 500: more entries than allowed (a 100,000-key
 * object otherwise ties the event loop up for seconds downstream), nesting deeper than allowed,
 * `\u0000` (no text or jsonb value holds NUL), escaped lone surrogates (`\ud800`: not Unicode,
 * refused by jsonb) and numbers outside what numeric stores. The problem names the place, as a
 * path from the root (`eventData.items[3].price`). Syntax errors are left to JSON.parse.
 *
 * It counts code units with charCodeAt and allocates only for the path of a problem, so refusing
 * a body of a megabyte takes about a millisecond.
 */
export function scanJson(text: string, limits: JsonLimits, root?: string): JsonScan {
  const stack: Frame[] = [];
  let entries = 0;
  let hasInexactNumbers = false;
  let expansion = 0;
  let i = 0;
  const length = text.length;
  const fail = (problem: string, tooLarge = false): JsonScan => ({
    // Too many entries is the container's doing, not the entry's where the count ran over.
    problem: `${describePath(text, tooLarge ? stack.slice(0, -1) : stack, root)}${problem}`,
    tooLarge,
    hasInexactNumbers,
  });

  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const start = i + 1;
      i += 1;
      for (;;) {
        if (i >= length) return { hasInexactNumbers };
        const d = text.charCodeAt(i);
        if (d === QUOTE) break;
        if (d === BACKSLASH) {
          if (text.charCodeAt(i + 1) === 0x75 /* u */) {
            const unit = parseInt(text.slice(i + 2, i + 6), 16);
            if (unit === 0)
              return fail('contains a NUL character (\\u0000), which cannot be stored');
            if (unit >= 0xdc00 && unit <= 0xdfff) return fail(LONE_SURROGATE);
            if (unit >= 0xd800 && unit <= 0xdbff) {
              const next =
                text.charCodeAt(i + 6) === BACKSLASH && text.charCodeAt(i + 7) === 0x75
                  ? parseInt(text.slice(i + 8, i + 12), 16)
                  : NaN;
              if (!(next >= 0xdc00 && next <= 0xdfff)) return fail(LONE_SURROGATE);
              i += 12;
              continue;
            }
            i += 6;
            continue;
          }
          i += 2;
          continue;
        }
        i += 1;
      }
      const top = stack[stack.length - 1];
      // A string directly followed by a colon is a key: remember where, for the path.
      let j = i + 1;
      while (j < length && isSpace(text.charCodeAt(j))) j += 1;
      if (top && !top.array && text.charCodeAt(j) === COLON) {
        top.keyStart = start;
        top.keyEnd = i;
      }
      i += 1;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (stack.length >= limits.maxDepth) {
        return fail(`is nested more than ${limits.maxDepth} levels deep`);
      }
      stack.push({ array: c === OPEN_BRACKET, index: 0, keyStart: -1, keyEnd: -1 });
      let j = i + 1;
      while (j < length && isSpace(text.charCodeAt(j))) j += 1;
      const next = text.charCodeAt(j);
      if (next !== CLOSE_BRACE && next !== CLOSE_BRACKET) entries += 1;
      i += 1;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      stack.pop();
      i += 1;
    } else if (c === COMMA) {
      entries += 1;
      const top = stack[stack.length - 1];
      if (top) {
        top.index += 1;
        top.keyStart = -1;
      }
      i += 1;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      let digits = 0;
      let plain = true;
      for (; i < length; i += 1) {
        const d = text.charCodeAt(i);
        if (d >= 0x30 && d <= 0x39) digits += 1;
        else if (d === 0x65 || d === 0x45) plain = false;
        else if (!isNumberChar(d)) break;
      }
      // Most numbers are short and plain: exact as a double, printed as sent.
      if (plain && digits <= EXACT_DIGITS) continue;
      const token = text.slice(start, i);
      const printed = printedDigits(token);
      if (printed > MAX_NUMBER_DIGITS) {
        return fail(
          `holds a number (${abbreviate(token)}) of more than ${MAX_NUMBER_DIGITS} digits written out; send it as a string`,
        );
      }
      expansion += Math.max(0, printed - token.length);
      if (expansion > MAX_EXPANSION) {
        return fail(
          `holds numbers in exponent form (${abbreviate(token)}) that would take more than ${MAX_EXPANSION} digits more when stored; write them out or send them as strings`,
        );
      }
      if (!hasInexactNumbers && !sameDecimal(token, Number(token))) hasInexactNumbers = true;
      continue;
    } else {
      i += 1;
    }
    if (entries > limits.maxEntries) {
      return fail(`holds more than ${limits.maxEntries} keys and array items`, true);
    }
  }
  return { hasInexactNumbers };
}

const LONE_SURROGATE =
  'contains an unpaired surrogate (\\ud800-\\udfff escape), which is not Unicode text';

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isNumberChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d
  );
}

/** How many digits numeric prints for a number token: before and after the decimal point. */
function printedDigits(token: string): number {
  const match = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(token);
  if (!match) return token.length;
  const [, whole, fraction = '', exponentText] = match;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  const digits = (whole + fraction).replace(/^0+/, '');
  // The value is digits × 10^(exponent − fraction.length); numeric keeps the written scale.
  const scale = fraction.length - exponent;
  const integerDigits = scale <= 0 ? digits.length - scale : Math.max(digits.length - scale, 0);
  return Math.max(integerDigits, 1) + Math.max(scale, 0);
}

function abbreviate(token: string): string {
  return token.length > 40 ? `${token.slice(0, 37)}...` : token;
}

/** `the body`, `eventData.items[3]` or, under a named root, `data.items[3]`: a message's start. */
function describePath(text: string, stack: readonly Frame[], root: string | undefined): string {
  const parts: string[] = root === undefined ? [] : [root];
  for (const frame of stack) {
    if (frame.array) {
      parts.push(`[${frame.index}]`);
    } else if (frame.keyStart >= 0) {
      let key: string;
      try {
        key = JSON.parse(`"${text.slice(frame.keyStart, frame.keyEnd)}"`) as string;
      } catch {
        key = text.slice(frame.keyStart, frame.keyEnd);
      }
      parts.push(parts.length === 0 ? key : `.${key}`);
    }
  }
  if (parts.length === 0) return 'the body ';
  return `${parts[0].startsWith('[') ? 'the body' : ''}${parts.join('')} `;
}
