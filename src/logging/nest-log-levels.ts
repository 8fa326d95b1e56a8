import type { LogLevel as NestLogLevel } from '@nestjs/common';
import type { LogLevel } from '../config/app-config.js';

const ORDER: readonly NestLogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
const THRESHOLD: Record<LogLevel, number> = {
  silent: 0,
  fatal: 1,
  error: 2,
  warn: 3,
  info: 4,
  debug: 5,
  trace: 6,
};

/** LOG_LEVEL names a threshold; Nest wants the list of levels at or above it. */
export function nestLogLevels(level: LogLevel): NestLogLevel[] {
  return ORDER.slice(0, THRESHOLD[level]);
}
