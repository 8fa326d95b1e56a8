import { isConnectionError, isTransientError } from '../../src/database/database-errors.js';

describe('isConnectionError', () => {
  it.each([
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    ],
    ['a reset connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['SQLSTATE class 08', Object.assign(new Error('connection failure'), { code: '08006' })],
    [
      'an administrator shutdown (57P01)',
      Object.assign(new Error('terminating'), { code: '57P01' }),
    ],
    ['a terminated connection', new Error('Connection terminated unexpectedly')],
    ['an error-like object from another realm', { code: 'ECONNREFUSED', message: 'x' }],
  ])('recognises %s', (_, error) => {
    expect(isConnectionError(error)).toBe(true);
  });

  it.each([
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['an invalid value', Object.assign(new Error('invalid input syntax'), { code: '22P02' })],
    ['a string', 'ECONNREFUSED'],
    ['null', null],
  ])('does not take %s for one', (_, error) => {
    expect(isConnectionError(error)).toBe(false);
  });
});

describe('isTransientError', () => {
  it('retries deadlocks and serialization failures only', () => {
    expect(isTransientError({ code: '40P01' })).toBe(true);
    expect(isTransientError({ code: '40001' })).toBe(true);
    expect(isTransientError({ code: '23505' })).toBe(false);
  });
});
