import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ScheduleModule } from '@nestjs/schedule';
import { AccessModule } from './access/access.module.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import type { Database } from './database/database.js';
import { DatabaseModule } from './database/database.module.js';
import { EventStoreModule } from './event-store/event-store.module.js';
import { EventStreamModule } from './event-stream/event-stream.module.js';
import { HealthModule } from './health/health.module.js';
import { OnboardingModule } from './onboarding/onboarding.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import type { Logger } from 'pino';

export type ModuleImport = NonNullable<ModuleMetadata['imports']>[number];

@Module({})
export class AppModule {
  static forRoot(
    config: AppConfig,
    database: Database,
    rootLogger: Logger,
    imports: ModuleImport[] = [],
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggingModule.forRoot(rootLogger),
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(database),
        CqrsModule.forRoot(),
        ScheduleModule.forRoot(),
        AccessModule,
        MetricsModule,
        HealthModule,
        EventStoreModule,
        EventStreamModule,
        OnboardingModule,
        ...imports,
      ],
    };
  }
}
