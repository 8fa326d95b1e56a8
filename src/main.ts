import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { AppConfig } from './config/app-config.js';
import { createApp } from './bootstrap.js';
import { exitWithStartupFailure } from './startup-failure.js';

async function main(): Promise<void> {
  const config = AppConfig.fromEnv();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  new Logger('Main').log(`flowflex-events is up: http://localhost:${port}/health`);
}

main().catch(exitWithStartupFailure);
