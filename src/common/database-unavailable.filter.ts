import { ArgumentsHost, Catch, HttpException, HttpStatus } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { isConnectionError, isUnavailable } from '../database/database-errors.js';

/** Seconds a client is asked to wait before trying again while the database is unreachable. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * A request that failed because PostgreSQL could not be reached answers 503 with Retry-After,
 * not 500: nothing was stored or acknowledged, and the same request will work once the database
 * is back. Every other error keeps Nest's handling.
 */
@Catch()
export class DatabaseUnavailableFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof HttpException || !isUnavailable(exception)) {
      super.catch(exception, host);
      return;
    }
    void host
      .switchToHttp()
      .getResponse<FastifyReply>()
      .status(HttpStatus.SERVICE_UNAVAILABLE)
      .header('Retry-After', String(RETRY_AFTER_SECONDS))
      .send({
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        error: 'Service Unavailable',
        message: isConnectionError(exception)
          ? `the database is unavailable; nothing was stored; retry in ${RETRY_AFTER_SECONDS} s`
          : `${(exception as Error).message}; nothing was stored; retry in ${RETRY_AFTER_SECONDS} s`,
      });
  }
}
