import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { AppConfig } from '../config/app-config.js';

/**
 * The process's one pino logger: JSON lines (or, with LOG_FORMAT=pretty, coloured lines for a
 * terminal), ISO times, level from LOG_LEVEL. Nest's own logs, the
 * request logs and every service's logs are children of it. Credentials never reach a line.
 */
export function createRootLogger(config: AppConfig, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: 'flowflex-events' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
        censor: '[redacted]',
      },
    },
    destination ?? (config.logFormat === 'pretty' ? pretty({ colorize: true }) : undefined),
  );
}
