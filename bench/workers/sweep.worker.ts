import 'reflect-metadata';
import { createApp } from '../../src/bootstrap.js';
import { AppConfig } from '../../src/config/app-config.js';
import { RetentionSweeper } from '../../src/event-store/sweeps/retention.sweeper.js';
import { RetrySweeper } from '../../src/event-store/sweeps/retry.sweeper.js';

/** Times one sweep over what the orchestrator seeded: every due failure retried, or every expired row soft-deleted. */
interface Args {
  url: string;
  sweep: 'retry' | 'retention';
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const app = await createApp(
  AppConfig.fromEnv({
    DATABASE_URL: args.url,
    LOG_LEVEL: 'warn',
    EVENTS_RETRY_SWEEP_INTERVAL_MS: '3600000',
    EVENTS_RETENTION_SWEEP_INTERVAL_MS: '3600000',
  }),
);
await app.init();
const started = performance.now();
// One run claims (or deletes) batch after batch until nothing is left.
const rows =
  args.sweep === 'retry'
    ? ((await app.get(RetrySweeper).run())?.retried ?? 0)
    : ((await app.get(RetentionSweeper).run())?.softDeleted ?? 0);
const ms = performance.now() - started;
await app.close();
process.stdout.write(
  `RESULT ${JSON.stringify({ rows, ms, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
