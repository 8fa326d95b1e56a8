import { IsObject, type ValidationOptions } from 'class-validator';

/** Per DTO class, its properties that hold free-form JSON objects. */
const FREE_FORM = new WeakMap<object, Set<string>>();

/**
 * A property holding a free-form JSON object (event data, metadata, business context): it must be
 * an object, and nothing looks inside it. The validation pipe detaches such values before the
 * DTO is transformed and validated and puts them back after, because class-transformer walks
 * every key of every nested value, in time that grows with the square of the key count: a
 * 100,000-key object held the event loop for seconds (found by the security review).
 */
export function FreeFormJson(options?: ValidationOptions): PropertyDecorator {
  return (target, property) => {
    IsObject(options)(target, property);
    const keys = FREE_FORM.get(target.constructor) ?? new Set<string>();
    keys.add(String(property));
    FREE_FORM.set(target.constructor, keys);
  };
}

export function freeFormKeysOf(dto: object): ReadonlySet<string> | undefined {
  return FREE_FORM.get(dto);
}
