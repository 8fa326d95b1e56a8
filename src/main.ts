import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { AppConfig, ConfigError } from './config/app-config.js';
import { DatabaseUnavailableError } from './database/database.js';
import { createApp } from './bootstrap.js';

async function main(): Promise<void> {
  const config = AppConfig.fromEnv();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  new Logger('Main').log(`flowflex-events is up: http://localhost:${port}/health`);
}

main().catch((error: unknown) => {
  // Expected start-up failures get one line an operator can act on, not a stack trace.
  if (error instanceof ConfigError || error instanceof DatabaseUnavailableError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
