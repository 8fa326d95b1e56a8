import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';

/** Nest, request and service logs all go through the root pino logger. */
@Module({})
export class LoggingModule {
  static forRoot(rootLogger: Logger): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            logger: rootLogger,
            // Probes hit /health every few seconds; their lines would drown the useful ones.
            autoLogging: { ignore: (req) => req.url === '/health' },
          },
          renameContext: 'context',
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
