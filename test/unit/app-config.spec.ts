import { resolve } from 'node:path';
import { AppConfig, ConfigError } from '../../src/config/app-config.js';

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    AppConfig.fromEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('AppConfig.fromEnv', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = AppConfig.fromEnv({});
    expect(config.databaseUrl).toBeUndefined();
    expect(config.port).toBe(3000);
    expect(config.bodyLimitBytes).toBe(1_048_576);
    expect(config.dataDir).toBe(resolve('.data'));
    expect(config.apiKeys).toEqual([]);
    expect(config.logLevel).toBe('info');
    expect(config.jsonMaxEntries).toBe(20_000);
    expect(config.batch).toEqual({ bodyLimitBytes: 16_777_216, jsonMaxEntries: 200_000 });
    expect(config.queryTimeoutMs).toBe(5_000);
    expect(config.pathPrefix).toBe('');
    expect(config.events).toEqual({
      maxRetryCount: 3,
      retrySweepIntervalMs: 30_000,
      stuckTimeoutMs: 600_000,
      retentionDays: 90,
      retentionSweepIntervalMs: 3_600_000,
      purgeAfterDays: undefined,
      handlerTimeoutMs: 30_000,
      retryBatchSize: 50,
      cleanupBatchSize: 5_000,
      spoolMaxBytes: 268_435_456,
      writeTimeoutMs: 3_000,
    });
  });

  it('reads every variable when set', () => {
    const config = AppConfig.fromEnv({
      DATABASE_URL: 'postgresql://u:p@db:5432/events',
      PORT: '8080',
      HTTP_BODY_LIMIT_BYTES: '2048',
      API_KEYS: 'k1:acme, k2:* ,k3:globex',
      EVENTS_MAX_RETRY_COUNT: '5',
      EVENTS_RETRY_SWEEP_INTERVAL_MS: '1000',
      EVENTS_STUCK_TIMEOUT_MS: '60000',
      EVENTS_RETENTION_DAYS: '30',
      EVENTS_RETENTION_SWEEP_INTERVAL_MS: '5000',
      EVENTS_PURGE_AFTER_DAYS: '7',
      EVENTS_HANDLER_TIMEOUT_MS: '5000',
      EVENTS_RETRY_BATCH_SIZE: '10',
      EVENTS_CLEANUP_BATCH_SIZE: '1000',
      EVENTS_SPOOL_MAX_BYTES: '1048576',
      EVENTS_WRITE_TIMEOUT_MS: '1500',
      DATABASE_QUERY_TIMEOUT_MS: '2500',
      HTTP_JSON_MAX_ENTRIES: '500',
      HTTP_BATCH_BODY_LIMIT_BYTES: '4096',
      HTTP_BATCH_JSON_MAX_ENTRIES: '1000',
      HTTP_PATH_PREFIX: '/ops/events/',
      LOG_LEVEL: 'debug',
    });
    expect(config.jsonMaxEntries).toBe(500);
    expect(config.batch).toEqual({ bodyLimitBytes: 4096, jsonMaxEntries: 1000 });
    expect(config.pathPrefix).toBe('/ops/events');
    expect(config.queryTimeoutMs).toBe(2500);
    expect(config.databaseUrl).toBe('postgresql://u:p@db:5432/events');
    expect(config.port).toBe(8080);
    expect(config.bodyLimitBytes).toBe(2048);
    expect(config.apiKeys).toEqual([
      { key: 'k1', tenant: 'acme' },
      { key: 'k2', tenant: '*' },
      { key: 'k3', tenant: 'globex' },
    ]);
    expect(config.events).toEqual({
      maxRetryCount: 5,
      retrySweepIntervalMs: 1000,
      stuckTimeoutMs: 60_000,
      retentionDays: 30,
      retentionSweepIntervalMs: 5000,
      purgeAfterDays: 7,
      handlerTimeoutMs: 5000,
      retryBatchSize: 10,
      cleanupBatchSize: 1000,
      spoolMaxBytes: 1_048_576,
      writeTimeoutMs: 1500,
    });
    expect(config.logLevel).toBe('debug');
  });

  it.each([
    ['PORT', 'http', /PORT=http is invalid; expected a whole number from 0 to 65535/],
    ['PORT', '70000', /PORT=70000/],
    ['EVENTS_MAX_RETRY_COUNT', '-1', /EVENTS_MAX_RETRY_COUNT=-1 .* from 0 to 20/],
    ['EVENTS_MAX_RETRY_COUNT', '2.5', /EVENTS_MAX_RETRY_COUNT=2.5/],
    ['EVENTS_RETRY_SWEEP_INTERVAL_MS', '10', /EVENTS_RETRY_SWEEP_INTERVAL_MS=10/],
    ['EVENTS_STUCK_TIMEOUT_MS', 'soon', /EVENTS_STUCK_TIMEOUT_MS=soon/],
    ['EVENTS_RETENTION_DAYS', '0', /EVENTS_RETENTION_DAYS=0 .* from 1/],
    ['EVENTS_RETENTION_SWEEP_INTERVAL_MS', '1e3', /EVENTS_RETENTION_SWEEP_INTERVAL_MS=1e3/],
    ['EVENTS_PURGE_AFTER_DAYS', 'never', /EVENTS_PURGE_AFTER_DAYS=never/],
    ['EVENTS_HANDLER_TIMEOUT_MS', '0', /EVENTS_HANDLER_TIMEOUT_MS=0 .* at least|from 100/],
    ['EVENTS_RETRY_BATCH_SIZE', '0', /EVENTS_RETRY_BATCH_SIZE=0 .* from 1 to 1000/],
    ['EVENTS_CLEANUP_BATCH_SIZE', '1000000', /EVENTS_CLEANUP_BATCH_SIZE=1000000 .* to 100000/],
    [
      'EVENTS_STUCK_TIMEOUT_MS',
      '20000',
      /EVENTS_STUCK_TIMEOUT_MS \(20000\) must be greater than EVENTS_HANDLER_TIMEOUT_MS \(30000\)/,
    ],
    ['HTTP_BODY_LIMIT_BYTES', '10', /HTTP_BODY_LIMIT_BYTES=10 .* from 1024 to 104857600/],
    ['LOG_FORMAT', 'xml', /LOG_FORMAT=xml is invalid; expected one of json, pretty/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL=loud is invalid; expected one of fatal, error, warn, info/],
    ['DATABASE_URL', 'not a url', /DATABASE_URL is not a URL/],
    ['DATABASE_URL', 'mysql://root@db/events', /DATABASE_URL must start with postgres:\/\//],
    ['API_KEYS', 'justakey', /API_KEYS entry 1 is invalid; expected comma-separated key:tenant/],
    [
      'HTTP_PATH_PREFIX',
      'events"><script>',
      /HTTP_PATH_PREFIX=events"><script> is invalid; expected a path/,
    ],
    ['API_KEYS', 'a:t1,a:t2', /API_KEYS entry 2 repeats an earlier key/],
  ])('rejects %s=%s with a message naming it', (name, value, message) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('reports every bad variable at once', () => {
    const problems = problemsOf({ PORT: 'x', LOG_LEVEL: 'y', EVENTS_RETENTION_DAYS: 'z' });
    expect(problems.map((p) => p.split(/[=\s]/)[0])).toEqual([
      'PORT',
      'EVENTS_RETENTION_DAYS',
      'LOG_LEVEL',
    ]);
  });

  it('never puts an API key into an error message', () => {
    const problems = problemsOf({ API_KEYS: 'secret-key-123:' });
    expect(problems.join('\n')).not.toContain('secret-key-123');
  });

  it('treats empty variables as unset', () => {
    expect(AppConfig.fromEnv({ PORT: '', DATABASE_URL: '  ' }).port).toBe(3000);
    expect(AppConfig.fromEnv({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });
});
