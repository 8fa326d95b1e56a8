import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { Database } from './database/database.js';
import { nestLogLevels } from './logging/nest-log-levels.js';

/**
 * Builds the application: the database first (embedded server, connection check, migrations), then
 * Nest on Fastify. Shared by main.ts and the e2e tests so that both start the same way.
 */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const logger = new ConsoleLogger('flowflex-events', {
    logLevels: nestLogLevels(config.logLevel),
    json: !process.stdout.isTTY,
  });
  const database = await Database.open(config, logger);
  try {
    const app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot(config, database),
      new FastifyAdapter(),
      { logger, abortOnError: false },
    );
    app.setGlobalPrefix('api', { exclude: ['health', 'metrics', 'docs'] });
    // Shutdown hooks let in-flight work finish before the database closes on SIGTERM/SIGINT.
    app.enableShutdownHooks();
    return app;
  } catch (error) {
    await database.onApplicationShutdown();
    throw error;
  }
}
