import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../access/access.decorators.js';
import { Database, type DatabaseHealth } from '../database/database.js';

interface HealthReport {
  readonly status: 'ok' | 'unavailable';
  readonly database: DatabaseHealth;
}

/** Readiness: 200 when the database answers and every migration is applied, 503 otherwise. */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly database: Database) {}

  @Get()
  @ApiOkResponse({ description: 'ready: the database answers and every migration is applied' })
  @ApiServiceUnavailableResponse({ description: 'not ready; the body says why' })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthReport> {
    const database = await this.database.health();
    const ready = database.reachable && database.pendingMigrations.length === 0;
    void reply.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ready ? 'ok' : 'unavailable', database };
  }
}
