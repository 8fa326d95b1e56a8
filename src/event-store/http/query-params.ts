import { Transform, type TransformFnParams } from 'class-transformer';
import { registerDecorator, type ValidationArguments } from 'class-validator';
import { MAX_JSON_DEPTH } from '../../common/json-body.parser.js';
import { parseJsonExactly } from '../../common/json/exact-json.js';
import { scanJson } from '../../common/json/json-scan.js';

/**
 * Conversions of query-string values (always strings, or arrays when repeated) to what the DTOs
 * validate. A value that does not convert is passed on unchanged, so that the validator after it
 * rejects it with a message naming the parameter, rather than the conversion throwing a 500.
 */

export const ToInteger = () =>
  Transform(({ value }: TransformFnParams): unknown =>
    typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value,
  );

export const ToBoolean = () =>
  Transform(({ value }: TransformFnParams): unknown =>
    value === 'true' ? true : value === 'false' ? false : value,
  );

/** `tags=a,b` and `tags=a&tags=b` both give ['a', 'b'] (SPEC §9). */
export const ToList = () =>
  Transform(({ value }: TransformFnParams): unknown => {
    const parts: unknown[] = Array.isArray(value) ? value : [value];
    if (!parts.every((part) => typeof part === 'string')) return value;
    return parts
      .flatMap((part) => part.split(','))
      .map((part) => part.trim())
      .filter((part) => part !== '');
  });

/** A `data` value that could not be used, with the reason; IsJsonObject reports it. */
export class UnusableJson {
  constructor(readonly problem: string) {}
}

/** Keys and items a `data` filter may hold: a containment filter, not a document. */
const DATA_LIMITS = { maxEntries: 1_000, maxDepth: MAX_JSON_DEPTH };

/**
 * `data` is a URL-encoded JSON object, scanned and parsed as bodies are (numbers kept exactly,
 * NUL and unpaired surrogates refused by name); anything else fails IsJsonObject.
 */
export const ToJsonObject = () =>
  Transform(({ value, key }: TransformFnParams): unknown => {
    if (typeof value !== 'string') return value;
    const scan = scanJson(value, DATA_LIMITS, key);
    if (scan.problem !== undefined) return new UnusableJson(scan.problem);
    try {
      return parseJsonExactly(value, scan.hasInexactNumbers);
    } catch {
      return value;
    }
  });

/** A JSON object (not an array, not a refused value); the message says what was wrong. */
export function IsJsonObject(example: string): PropertyDecorator {
  return (target, propertyName) => {
    const name = String(propertyName);
    registerDecorator({
      name: 'isJsonObject',
      target: target.constructor,
      propertyName: name,
      options: {
        message: ({ value }: ValidationArguments) =>
          value instanceof UnusableJson
            ? value.problem
            : `${name} must be a URL-encoded JSON object, e.g. ${example}`,
      },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          !(value instanceof UnusableJson),
      },
    });
  };
}
