import secureJson from 'secure-json-parse';

/**
 * JSON.rawJSON and the reviver's source text (Node 21+): a number JavaScript cannot hold exactly
 * is kept as its source text, and JSON.stringify writes that text back verbatim. Not yet in
 * TypeScript's lib.
 */
interface RawJson {
  readonly rawJSON: string;
}
interface JsonWithRaw {
  rawJSON(this: void, text: string): RawJson;
  isRawJSON(this: void, value: unknown): value is RawJson;
}
type SourceReviver = (key: string, value: unknown, context?: { source?: string }) => unknown;

const { rawJSON, isRawJSON } = JSON as unknown as JsonWithRaw;

export { isRawJSON };

/**
 * Parses JSON keeping every number's value exactly: one a double cannot hold
 * (12345678901234567890, 1e400, 0.30000000000000001) stays its source text, so that it reaches
 * jsonb (numeric, exact) as it was sent instead of rounded, or turned into null. Numbers a double
 * holds exactly stay plain numbers. `__proto__` and `constructor.prototype` keys are refused, as
 * by Fastify's own parser.
 *
 * `mayBeInexact` false (the scan found no long or exponent number) skips the reviver, whose
 * per-value call is most of the cost.
 */
export function parseJsonExactly(text: string, mayBeInexact = true): unknown {
  return secureJson.parse(text, mayBeInexact ? keepInexactNumbers : undefined, {
    protoAction: 'error',
    constructorAction: 'error',
  });
}

const keepInexactNumbers: SourceReviver = (_key, value, context) =>
  typeof value === 'number' && context?.source !== undefined && !sameDecimal(context.source, value)
    ? rawJSON(context.source)
    : value;

/** Whether the source text of a number and the double it parsed to have the same value. */
export function sameDecimal(source: string, value: number): boolean {
  const printed = String(value);
  if (printed === source) return true;
  if (!Number.isFinite(value)) return false;
  const a = normalise(source);
  const b = normalise(printed);
  return (
    a !== undefined &&
    b !== undefined &&
    a.sign === b.sign &&
    a.digits === b.digits &&
    a.exponent === b.exponent
  );
}

/** A decimal as sign, significant digits and exponent: 1.50e2 and 150 normalise alike. */
function normalise(text: string): { sign: string; digits: string; exponent: number } | undefined {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) return undefined;
  const [, sign, whole, fraction = '', exponentText = '0'] = match;
  let digits = (whole + fraction).replace(/^0+/, '');
  let exponent = Number(exponentText) - fraction.length;
  const trailing = /0*$/.exec(digits)![0].length;
  digits = digits.slice(0, digits.length - trailing);
  exponent += trailing;
  return digits === '' ? { sign: '', digits: '0', exponent: 0 } : { sign, digits, exponent };
}

/**
 * Typed fields (ids, rates) are validated as JavaScript values: a number kept as source text there
 * becomes that text, a decimal string, which an int64 field takes exactly and a number field
 * refuses by name. Free-form fields are left alone (they are detached before this runs).
 */
export function rawNumbersToText(value: unknown): unknown {
  if (isRawJSON(value)) return value.rawJSON;
  if (Array.isArray(value)) return value.map(rawNumbersToText);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, child]) => [key, rawNumbersToText(child)]),
    );
  }
  return value;
}

/**
 * Parses a json or jsonb value as PostgreSQL sends it, numbers exact: jsonb prints numbers in
 * plain decimal, so only a run of 16 or more digits can be one a double does not hold.
 */
export function parseJsonFromPostgres(text: string): unknown {
  return /\d{16}/.test(text) ? JSON.parse(text, keepInexactNumbers) : JSON.parse(text);
}
