import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../access/access.decorators.js';
import { DatabaseHealthIndicator } from './database.health-indicator.js';

/** Probes for orchestrators and load balancers; no API key needed. */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
  ) {}

  /** Readiness: 200 when the database answers and every migration is applied, 503 otherwise. */
  @Get()
  @HealthCheck()
  @ApiOkResponse({ description: 'ready: database up, no pending migrations' })
  @ApiServiceUnavailableResponse({ description: 'not ready; `error` says which check failed' })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.database.check()]);
  }

  /** Liveness: the process serves requests. It never looks at the database, so an outage there
   * does not get a healthy process restarted. */
  @Get('live')
  @HealthCheck()
  @ApiOkResponse({ description: 'the process is serving requests' })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }
}
