import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { AppConfig } from './config/app-config.js';
import { createApp } from './bootstrap.js';
import { exitWithStartupFailure, ListenError } from './startup-failure.js';

async function main(): Promise<void> {
  const config = AppConfig.fromEnv();
  const app = await createApp(config);
  try {
    await app.listen(config.port, config.host);
  } catch (error) {
    // The database (and an embedded server) was opened already: close it before exiting.
    await app.close().catch(() => undefined);
    throw ListenError.from(error, config.host, config.port);
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  new Logger('Main').log(`flowflex-events is up: http://localhost:${port}/health`);
}

main().catch(exitWithStartupFailure);
