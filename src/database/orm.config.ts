import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options } from '@mikro-orm/postgresql';
import {
  EventDurationBucket,
  EventDurationDay,
  EventStatsBucket,
  EventStatsDay,
} from '../event-store/entities/event-stats.entity.js';
import { DescriptionKeys } from '../event-store/entities/description-keys.routine.js';
import { EventDay } from '../event-store/entities/event-day.routine.js';
import { EventSubscription } from '../event-store/entities/event-subscription.entity.js';
import { ParkedEvent } from '../event-store/entities/parked-event.entity.js';
import { RetrySelection } from '../event-store/entities/retry-selection.entity.js';
import { DescriptionPrefix } from '../event-store/entities/description-prefix.entity.js';
import { StageCompletionLog } from '../event-store/entities/stage-completion-log.entity.js';
import { StoredEvent } from '../event-store/entities/stored-event.entity.js';
import { migrationsList } from './migrations/index.js';

export const entities = [
  StoredEvent,
  StageCompletionLog,
  EventSubscription,
  ParkedEvent,
  RetrySelection,
  EventStatsBucket,
  EventDurationBucket,
  EventStatsDay,
  EventDurationDay,
  DescriptionPrefix,
];

/** Connections to PostgreSQL the service holds at most: the ORM's pool, which SqlPool runs on. */
export const POOL_SIZE = 10;

/** The one ORM configuration, shared by the service, the migration CLI and the tests. */
export function ormConfig(clientUrl: string): Options {
  return defineConfig({
    clientUrl,
    entities,
    routines: [EventDay, DescriptionKeys],
    // Decorator metadata is read through reflect-metadata, which both tsc and swc emit.
    metadataProvider: ReflectMetadataProvider,
    extensions: [Migrator],
    migrations: {
      migrationsList,
      // Snapshots are for generating migrations in development; writing one at run time would
      // need a writable source tree, which the production image does not have.
      snapshot: false,
      snapshotOnMigrate: false,
      silent: true,
      // Each migration in its own transaction (or none, for those that say so), not all in one:
      // see migration-runner.ts.
      allOrNothing: false,
    },
    // A mistyped database name must fail start-up, not silently get a new, empty database.
    ensureDatabase: false,
    // Every unit of work is an explicit fork or request context; the global one is a bug.
    allowGlobalContext: false,
    pool: { min: 0, max: POOL_SIZE },
    // A connection attempt to a server that does not answer (a partition, not a refusal) fails
    // after 5 s instead of hanging its caller, so writes fall back to the spool and sweeps move
    // on; keep-alive notices a dead peer on an idle connection.
    driverOptions: { connectionTimeoutMillis: 5_000, keepAlive: true },
  });
}
