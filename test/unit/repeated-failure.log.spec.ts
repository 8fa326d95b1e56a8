import { jest } from '@jest/globals';
import type { PinoLogger } from 'nestjs-pino';
import { RepeatedFailureLog } from '../../src/logging/repeated-failure.log.js';

function fakeLogger() {
  const lines: { level: string; fields: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) =>
    lines.push({ level, fields, msg });
  return { lines, logger: { error: at('error'), info: at('info') } as unknown as PinoLogger };
}

describe('RepeatedFailureLog', () => {
  afterEach(() => jest.useRealTimers());

  it('logs a recurring failure once with its stack, then once a minute with its count', () => {
    jest.useFakeTimers({ now: 0 });
    const { lines, logger } = fakeLogger();
    const log = new RepeatedFailureLog(logger, 'retry sweep');
    for (let second = 0; second < 90; second += 1) {
      jest.setSystemTime(second * 1000);
      log.failed(new Error('connect ECONNREFUSED'));
    }
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      msg: 'retry sweep failed',
      fields: { err: expect.any(Error) },
    });
    expect(lines[1]).toMatchObject({
      msg: 'retry sweep failed again (61 times in a row)',
      fields: { repeated: 61, error: 'connect ECONNREFUSED' },
    });
    expect(lines[1].fields.err).toBeUndefined();

    log.succeeded();
    expect(lines[2]).toMatchObject({
      level: 'info',
      msg: 'retry sweep works again after 90 failures',
    });
  });

  it('logs a different failure at once, stack and all', () => {
    const { lines, logger } = fakeLogger();
    const log = new RepeatedFailureLog(logger, 'retry sweep');
    log.failed(new Error('one'));
    log.failed(new Error('two'));
    expect(lines.map((l) => l.msg)).toEqual(['retry sweep failed', 'retry sweep failed']);
  });
});
