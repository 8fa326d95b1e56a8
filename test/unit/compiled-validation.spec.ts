import fc from 'fast-check';
import { validate, getMetadataStorage } from 'class-validator';
import { compiledCheck } from '../../src/common/compiled-validation.js';
import * as subscriptions from '../../src/event-stream/http/subscriptions.dto.js';
import * as stream from '../../src/event-stream/http/stream-query.dto.js';
import * as batch from '../../src/event-store/http/append-batch.view.js';
import * as append from '../../src/event-store/http/append-event.dto.js';
import * as cleanup from '../../src/event-store/http/cleanup.dto.js';
import * as params from '../../src/event-store/http/event-route.params.js';
import * as failures from '../../src/event-store/http/failures.dto.js';
import * as lists from '../../src/event-store/http/list-queries.dto.js';
import * as query from '../../src/event-store/http/query-events.dto.js';
import * as stage from '../../src/onboarding/http/stage-completed.dto.js';

type Dto = new () => object;

/** Every class of the HTTP layer that carries validation rules. */
const DTOS: Dto[] = [
  subscriptions,
  stream,
  batch,
  append,
  cleanup,
  params,
  failures,
  lists,
  query,
  stage,
].flatMap((module) =>
  Object.values(module as Record<string, unknown>).filter(
    (value): value is Dto =>
      typeof value === 'function' &&
      getMetadataStorage().getTargetValidationMetadatas(value, '', false, false, undefined).length >
        0,
  ),
);

/** Values of every kind the rules tell apart: valid ones for some property, invalid for others. */
const POOL: unknown[] = [
  undefined,
  null,
  '',
  ' ',
  'a',
  'Type1',
  'acme',
  'Processed',
  'Failed',
  'asc',
  'desc',
  'eventTimestamp',
  'beginning',
  'now',
  'true',
  '2024-05-01',
  '2024-05-01T10:00:00Z',
  '2024-13-45',
  '123',
  '-9223372036854775808',
  '9223372036854775808',
  '1e3',
  '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
  'x'.repeat(20),
  'x'.repeat(21),
  'x'.repeat(50),
  'x'.repeat(51),
  'x'.repeat(100),
  'x'.repeat(101),
  '🙂'.repeat(60),
  '\ufe0f'.repeat(101),
  0,
  1,
  7,
  -1,
  1.5,
  90,
  200,
  201,
  1000,
  10_000,
  Number.MAX_SAFE_INTEGER,
  Number.NaN,
  true,
  false,
  [],
  ['vip'],
  ['a', 'b'],
  [1],
  [''],
  ['x'.repeat(101)],
  Array.from({ length: 101 }, (_, i) => `t${i}`),
  new Set(['a']),
  {},
  { a: 1 },
  new Date('2024-05-01T00:00:00Z'),
];

const storage = getMetadataStorage();
const propertiesOf = (dto: Dto) =>
  Object.keys(
    storage.groupByPropertyName(
      storage.getTargetValidationMetadatas(dto, '', false, false, undefined),
    ),
  );

async function classValidatorPasses(instance: object): Promise<boolean> {
  const errors = await validate(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    validationError: { target: false },
  });
  return errors.length === 0;
}

/** Per property, the pool values class-validator accepts there (judged on their own). */
async function validValues(dto: Dto): Promise<Map<string, unknown[]>> {
  const result = new Map<string, unknown[]>();
  for (const property of propertiesOf(dto)) {
    const accepted: unknown[] = [];
    for (const value of POOL) {
      const instance = Object.assign(new dto(), { [property]: value });
      const errors = await validate(instance, { validationError: { target: false } });
      if (!errors.some((error) => error.property === property)) accepted.push(value);
    }
    result.set(property, accepted);
  }
  return result;
}

describe('compiled validation', () => {
  it('compiles the request bodies and queries of the hot routes', () => {
    expect(compiledCheck(append.AppendEventDto)).toBeDefined();
    expect(compiledCheck(query.QueryEventsDto)).toBeDefined();
    expect(compiledCheck(params.EventIdParams)).toBeDefined();
  });

  it('leaves classes with nested rules to class-validator', () => {
    expect(compiledCheck(stage.StageCompletedDto)).toBeUndefined();
    expect(compiledCheck(batch.AppendBatchDto)).toBeUndefined();
  });

  it.each(DTOS.filter((dto) => compiledCheck(dto)).map((dto) => [dto.name, dto] as const))(
    'judges every %s exactly as class-validator does',
    async (_, dto) => {
      const check = compiledCheck(dto)!;
      const valid = await validValues(dto);
      const property = (name: string) =>
        fc.oneof(
          {
            weight: 6,
            arbitrary: fc.constantFrom(...(valid.get(name)?.length ? valid.get(name)! : POOL)),
          },
          { weight: 1, arbitrary: fc.constantFrom(...POOL) },
        );
      const instanceOf = fc.record({
        values: fc.record(
          Object.fromEntries(propertiesOf(dto).map((name) => [name, property(name)])),
        ),
        unknown: fc.oneof(
          { weight: 9, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.constantFrom('extra', 'constructor', 'toString') },
        ),
      });
      let passed = 0;
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(instanceOf, async ({ values, unknown }) => {
          const instance = Object.assign(new dto(), values);
          for (const [key, value] of Object.entries(values)) {
            if (value === undefined) delete (instance as Record<string, unknown>)[key];
          }
          if (unknown) Object.defineProperty(instance, unknown, { value: 1, enumerable: true });
          const expected = await classValidatorPasses(instance);
          expect(check(instance as Record<string, unknown>)).toBe(expected);
          if (expected) passed += 1;
          else refused += 1;
        }),
        { numRuns: 400 },
      );
      // Both answers were given many times: the comparison was not one-sided.
      expect(passed).toBeGreaterThan(20);
      expect(refused).toBeGreaterThan(20);
    },
  );
});
