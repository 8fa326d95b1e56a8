import {
  BadRequestException,
  ValidationPipe,
  type ArgumentMetadata,
  type Type,
  type ValidationError,
} from '@nestjs/common';
import { getMetadataStorage, type ValidatorOptions } from 'class-validator';
import { compiledCheck } from './compiled-validation.js';
import { freeFormKeysOf } from './free-form-json.js';
import { rawNumbersToText } from './json/exact-json.js';

type Plain = Record<string, unknown>;

/** A value taken out of a DTO before validation, to be put back at the same place after. */
interface Detached {
  readonly path: readonly string[];
  readonly value: unknown;
}

/**
 * Rejects bodies and queries that do not match their DTO with one 400 whose message names every
 * offending field (nested ones by path), and refuses unknown fields rather than dropping them.
 *
 * Around Nest's ValidationPipe: unknown fields are found by own property name against the DTO's
 * declared properties (class-validator's whitelist looks names up on an object, so `constructor`,
 * `toString`, `valueOf` and `__proto__` passed as known); free-form JSON properties are detached
 * before class-transformer sees the value and put back after (see FreeFormJson); and numbers kept
 * exactly by the JSON parser become decimal strings in typed fields.
 */
export class DtoValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => new BadRequestException(flatten(errors).join('; ')),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const dto = metadata.metatype;
    if (!dto || !isDto(dto) || !isPlainObject(value)) return super.transform(value, metadata);
    const unknown = unknownKeys(dto, value, []);
    if (unknown.length > 0) {
      throw new BadRequestException(
        unknown.map((path) => `property ${path} should not exist`).join('; '),
      );
    }
    const detached: Detached[] = [];
    const typed = rawNumbersToText(detachFreeForm(dto, value, [], detached));
    const instance: unknown = await super.transform(typed, metadata);
    for (const { path, value: original } of detached) setAt(instance, path, original);
    return instance;
  }

  /** A valid instance passes the compiled rules; class-validator words the errors of the rest. */
  protected override validate(
    object: object,
    options?: ValidatorOptions,
  ): ReturnType<ValidationPipe['validate']> {
    const check = compiledCheck(object.constructor);
    if (check?.(object as Plain)) return [];
    return super.validate(object, options);
  }
}

function isDto(type: unknown): type is Type<unknown> {
  return typeof type === 'function' && declaredKeys(type as Type<unknown>).size > 0;
}

function isPlainObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const DECLARED = new WeakMap<object, Set<string>>();

/** The properties a DTO class declares validation for. */
function declaredKeys(dto: Type<unknown>): Set<string> {
  let keys = DECLARED.get(dto);
  if (!keys) {
    keys = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(dto, '', true, false)
        .map((metadata) => metadata.propertyName),
    );
    DECLARED.set(dto, keys);
  }
  return keys;
}

/** The nested DTO class of a property, when it has one (design:type, emitted by tsc and swc). */
function nestedDto(dto: Type<unknown>, key: string): Type<unknown> | undefined {
  const type: unknown = Reflect.getMetadata('design:type', dto.prototype as object, key);
  return typeof type === 'function' && type !== Object && isDto(type) ? type : undefined;
}

function unknownKeys(dto: Type<unknown>, value: Plain, path: string[]): string[] {
  const declared = declaredKeys(dto);
  const free = freeFormKeysOf(dto);
  return Object.keys(value).flatMap((key) => {
    const here = [...path, key];
    if (!declared.has(key)) return [here.join('.')];
    const child = value[key];
    const nested = free?.has(key) ? undefined : nestedDto(dto, key);
    return nested && isPlainObject(child) ? unknownKeys(nested, child, here) : [];
  });
}

/**
 * A shallow copy of the value with each free-form object replaced by `{}` (which passes
 * IsObject as the original would); anything else in that place (an array, a string) stays, so
 * that validation refuses it by name.
 */
function detachFreeForm(dto: Type<unknown>, value: Plain, path: string[], out: Detached[]): Plain {
  const free = freeFormKeysOf(dto);
  const copy: Plain = { ...value };
  for (const [key, child] of Object.entries(value)) {
    if (free?.has(key)) {
      if (isPlainObject(child)) {
        out.push({ path: [...path, key], value: child });
        copy[key] = {};
      }
      continue;
    }
    const nested = nestedDto(dto, key);
    if (nested && isPlainObject(child))
      copy[key] = detachFreeForm(nested, child, [...path, key], out);
  }
  return copy;
}

function setAt(target: unknown, path: readonly string[], value: unknown): void {
  let node = target as Plain;
  for (const key of path.slice(0, -1)) node = node[key] as Plain;
  node[path[path.length - 1]] = value;
}

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(error.property)
        ? `${path}${message.slice(error.property.length)}`
        : `${path}: ${message}`,
    );
    return [...own, ...flatten(error.children ?? [], path)];
  });
}
