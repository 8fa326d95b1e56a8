import { Transform, type TransformFnParams } from 'class-transformer';

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

/** `data` is a URL-encoded JSON object; anything else stays a string and fails IsObject. */
export const ToJsonObject = () =>
  Transform(({ value }: TransformFnParams): unknown => {
    if (typeof value !== 'string') return value;
    try {
      const parsed: unknown = JSON.parse(value);
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
        ? parsed
        : value;
    } catch {
      return value;
    }
  });
