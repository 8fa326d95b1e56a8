import { registerDecorator, type ValidationOptions } from 'class-validator';

const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;

/** A bigint column value: a whole number (or decimal string) within PostgreSQL's int8 range. */
export function IsInt64(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'isInt64',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `${String(propertyName)} must be a whole number within int64`,
        ...options,
      },
      validator: {
        validate(value: unknown) {
          const text =
            typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
          if (typeof text !== 'string' || !/^-?\d{1,19}$/.test(text)) return false;
          const number = BigInt(text);
          return number >= MIN && number <= MAX;
        },
      },
    });
  };
}
