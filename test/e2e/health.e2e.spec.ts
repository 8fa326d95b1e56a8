import { migrationsList } from '../../src/database/migrations/index.js';
import { MikroORM } from '@mikro-orm/postgresql';
import { pino } from 'pino';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../../src/app.module.js';
import { AppConfig } from '../../src/config/app-config.js';
import { Database } from '../../src/database/database.js';
import { migrateUp } from '../../src/database/migration-runner.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('GET /health', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = AppConfig.fromEnv({ DATABASE_URL: db.url, LOG_LEVEL: 'warn' });
    const logger = pino({ level: 'silent' });
    // Opened without migrating, as an instance would be while another one still migrates.
    const database = await Database.open(config, logger, { migrate: false });
    app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot(config, database, logger),
      new FastifyAdapter(),
      { logger: false },
    );
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('answers 503 naming the pending migrations while the schema is not migrated', async () => {
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      status: 'error',
      info: { database: { status: 'up' } },
      error: {
        migrations: {
          status: 'down',
          pending: migrationsList.map((migration) => migration.name),
        },
      },
    });
  });

  it('answers 200 once the migrations are applied', async () => {
    await migrateUp(app.get(MikroORM));
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, migrations: { status: 'up', pending: [] } },
      error: {},
    });
  });

  it('answers liveness without looking at the database', async () => {
    const response = await app.inject({ method: 'GET', url: '/health/live' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok' });
  });
});
