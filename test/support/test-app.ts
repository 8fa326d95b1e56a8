import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp, type CreateAppOptions } from '../../src/bootstrap.js';
import { AppConfig } from '../../src/config/app-config.js';

/**
 * The service as main.ts builds it, ready for `app.inject`: on the given database, or on an
 * embedded server under env.DATA_DIR when databaseUrl is undefined.
 */
export async function startTestApp(
  databaseUrl: string | undefined,
  env: NodeJS.ProcessEnv = {},
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const config = AppConfig.fromEnv({
    ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
    PORT: '0',
    LOG_LEVEL: 'warn',
    // Sweeps run when a test calls them, not on a timer in the middle of its assertions.
    EVENTS_RETRY_SWEEP_INTERVAL_MS: '3600000',
    EVENTS_RETENTION_SWEEP_INTERVAL_MS: '3600000',
    ...env,
  });
  const app = await createApp(config, options);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
