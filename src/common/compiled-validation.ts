import {
  getMetadataStorage,
  ValidationTypes,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';

/** Whether a DTO instance passes every rule of its class: false when class-validator would object. */
export type CompiledCheck = (instance: Record<string, unknown>) => boolean;

interface Rule {
  readonly each: boolean;
  readonly constraints: unknown[];
  readonly validateIf?: (object: object, value: unknown) => boolean;
  readonly validators: readonly ValidatorConstraintInterface[];
}

interface PropertyRules {
  readonly name: string;
  readonly conditions: readonly ((object: object, value: unknown) => boolean)[];
  /** IsDefined's rules, which class-validator runs apart from the others. */
  readonly defined: readonly Rule[];
  readonly rules: readonly Rule[];
}

const SUPPORTED = new Set<string>([
  ValidationTypes.CUSTOM_VALIDATION,
  ValidationTypes.CONDITIONAL_VALIDATION,
  ValidationTypes.IS_DEFINED,
  ValidationTypes.WHITELIST,
]);

const COMPILED = new WeakMap<object, CompiledCheck | null>();

/**
 * A DTO class's class-validator rules, gathered once into a plain function that answers whether
 * an instance passes them all, for the pipe's valid-input path: class-validator's executor looks
 * up and groups the class's metadata and builds an error object for every property on every call
 * (about 6% of the service's CPU under a POST /api/events load). The rules are class-validator's
 * own validators, called the way its executor calls them (ValidationExecutor.performValidations:
 * conditions first, IsDefined, then every rule, `each` over arrays, sets and maps, with the
 * whitelist refusing undeclared properties), so the answer is the same; a test holds the two
 * equal over random input. When it says no, class-validator runs and words the errors.
 *
 * Classes with nested or promise validation, groups, `always`, or an asynchronous rule get no
 * compiled check (undefined): class-validator validates them as before.
 */
export function compiledCheck(dto: object): CompiledCheck | undefined {
  let check = COMPILED.get(dto);
  if (check === undefined) {
    check = compile(dto as new () => unknown);
    COMPILED.set(dto, check);
  }
  return check ?? undefined;
}

function compile(dto: new () => unknown): CompiledCheck | null {
  const storage = getMetadataStorage();
  const metadatas = storage.getTargetValidationMetadatas(dto, '', false, false, undefined);
  if (metadatas.length === 0) return null;
  const unsupported = metadatas.some(
    (metadata) =>
      !SUPPORTED.has(metadata.type) || metadata.always || (metadata.groups?.length ?? 0) > 0,
  );
  if (unsupported) return null;
  const properties: PropertyRules[] = [];
  for (const [name, own] of Object.entries(storage.groupByPropertyName(metadatas))) {
    const ruleOf = (metadata: (typeof own)[number]): Rule | undefined => {
      const constraints = storage.getTargetValidatorConstraints(metadata.constraintCls);
      if (constraints.some((constraint) => constraint.async)) return undefined;
      return {
        each: metadata.each,
        constraints: metadata.constraints,
        validateIf: metadata.validateIf,
        validators: constraints.map((constraint) => constraint.instance),
      };
    };
    const defined = own.filter((m) => m.type === ValidationTypes.IS_DEFINED).map(ruleOf);
    const rules = own.filter((m) => m.type === ValidationTypes.CUSTOM_VALIDATION).map(ruleOf);
    if ([...defined, ...rules].some((rule) => rule === undefined)) return null;
    properties.push({
      name,
      conditions: own
        .filter((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION)
        .map((m) => m.constraints[0] as (object: object, value: unknown) => boolean),
      defined: defined as Rule[],
      rules: rules as Rule[],
    });
  }
  const declared = new Set(properties.map((property) => property.name));
  return (instance) => {
    for (const key of Object.keys(instance)) if (!declared.has(key)) return false;
    for (const property of properties) {
      const value = instance[property.name];
      if (!property.conditions.every((condition) => condition(instance, value))) continue;
      if (!passes(instance, property.name, value, property.defined)) return false;
      if (!passes(instance, property.name, value, property.rules)) return false;
    }
    return true;
  };
}

function passes(
  object: Record<string, unknown>,
  property: string,
  value: unknown,
  rules: readonly Rule[],
): boolean {
  for (const rule of rules) {
    if (rule.validateIf && !rule.validateIf(object, value)) continue;
    const args: ValidationArguments = {
      targetName: object.constructor?.name ?? '',
      property,
      object,
      value,
      constraints: rule.constraints,
    };
    const values =
      rule.each && (Array.isArray(value) || value instanceof Set || value instanceof Map)
        ? [...(value instanceof Map ? value.values() : value)]
        : [value];
    for (const validator of rule.validators) {
      for (const item of values) {
        // A promise here is an asynchronous rule class-validator must await: not ours to judge.
        if (validator.validate(item, args) !== true) return false;
      }
    }
  }
  return true;
}
