import { registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * At most `max` characters as PostgreSQL counts them in a varchar: code points. class-validator's
 * MaxLength counts differently (it does not count U+FE0E/U+FE0F variation selectors), so text it
 * let through could still be cut at the column, changing an id.
 */
export function MaxChars(max: number, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'maxChars',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [max],
      options: {
        message: `$property must be shorter than or equal to ${max} characters`,
        ...options,
      },
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || charCount(value, max) <= max,
      },
    });
  };
}

/** Code points in the text, counting no further than just past `limit`. */
export function charCount(text: string, limit = Infinity): number {
  if (text.length <= limit) return [...text].length;
  const points = text[Symbol.iterator]();
  let count = 0;
  while (count <= limit && !points.next().done) count += 1;
  return count;
}
