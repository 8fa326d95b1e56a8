import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { Database } from '../database/database.js';

/** A probe must answer even when the database hangs: past this, the database counts as down. */
const PROBE_TIMEOUT_MS = 3_000;

/** Readiness of SPEC §8: the database answers, and every migration has been applied. */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly database: Database,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(): Promise<HealthIndicatorResult> {
    const database = this.indicators.check('database');
    const migrations = this.indicators.check('migrations');
    const health = await Promise.race([
      this.database.health(),
      new Promise<{ reachable: false; pendingMigrations: string[]; error: string }>((resolve) =>
        setTimeout(
          () =>
            resolve({
              reachable: false,
              pendingMigrations: [],
              error: `no answer within ${PROBE_TIMEOUT_MS} ms`,
            }),
          PROBE_TIMEOUT_MS,
        ).unref(),
      ),
    ]);
    if (!health.reachable) {
      return {
        ...database.down({ message: health.error ?? 'unreachable' }),
        ...migrations.down({ message: 'unknown while the database is unreachable' }),
      };
    }
    const pending = health.pendingMigrations;
    return {
      ...database.up(),
      ...(pending.length === 0 ? migrations.up({ pending }) : migrations.down({ pending })),
    };
  }
}
