import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Database, type DatabaseHealth } from '../database/database.js';

interface HealthReport {
  readonly status: 'ok' | 'unavailable';
  readonly database: DatabaseHealth;
}

/** Readiness: 200 when the database answers and every migration is applied, 503 otherwise. */
@Controller('health')
export class HealthController {
  constructor(private readonly database: Database) {}

  @Get()
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthReport> {
    const database = await this.database.health();
    const ready = database.reachable && database.pendingMigrations.length === 0;
    void reply.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ready ? 'ok' : 'unavailable', database };
  }
}
