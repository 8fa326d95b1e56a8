import { BigIntType, type Opt } from '@mikro-orm/core';
import { Check, Entity, Index, PrimaryKey, Property, Trigger } from '@mikro-orm/decorators/legacy';
import { TRANSITION_TABLES } from '../../database/migrations/sql/statistics-rollup.js';
import { EventStatus } from './event-status.js';

/** The indexes the migrations create on ff_events, by name, as they define them. */
const INDEXES: Record<string, string> = {
  idx_ff_events_event_id: 'create unique index idx_ff_events_event_id on ff_events (event_id)',
  idx_ff_events_event_type:
    'create index idx_ff_events_event_type on ff_events (event_type, event_timestamp desc) where is_valid',
  idx_ff_events_aggregate:
    'create index idx_ff_events_aggregate on ff_events (aggregate_id, aggregate_type, event_timestamp desc) where is_valid',
  idx_ff_events_tenant:
    'create index idx_ff_events_tenant on ff_events (tenant_id, event_timestamp desc) where is_valid',
  idx_ff_events_status:
    'create index idx_ff_events_status on ff_events (tenant_id, event_status, event_timestamp desc) where is_valid',
  idx_ff_events_source:
    'create index idx_ff_events_source on ff_events (tenant_id, event_source, event_timestamp desc) where is_valid',
  idx_ff_events_retry:
    'create index idx_ff_events_retry on ff_events (next_retry_at, process_count, tenant_id) where requires_retry and is_valid',
  idx_ff_events_tenant_failed_due:
    "create index concurrently idx_ff_events_tenant_failed_due on ff_events (tenant_id, next_retry_at, id) where requires_retry and is_valid and event_status = 'Failed'",
  idx_ff_events_tenant_retry_time:
    'create index concurrently idx_ff_events_tenant_retry_time on ff_events (tenant_id, event_timestamp desc) where requires_retry and is_valid',
  idx_ff_events_related_entity:
    'create index idx_ff_events_related_entity on ff_events (tenant_id, related_entity_id, related_entity_type, event_timestamp desc) where related_entity_id is not null and is_valid',
  idx_ff_events_timestamp:
    'create index idx_ff_events_timestamp on ff_events (event_timestamp desc) where is_valid',
  idx_ff_events_tags_gin:
    'create index concurrently idx_ff_events_tags_gin on ff_events using gin (tenant_id, ff_event_day(tenant_id, event_timestamp), event_tags) with (gin_pending_list_limit=512) where is_valid',
  idx_ff_events_data_gin:
    'create index concurrently idx_ff_events_data_gin on ff_events using gin (tenant_id, ff_event_day(tenant_id, event_timestamp), event_data jsonb_path_ops) with (gin_pending_list_limit=512) where is_valid',
  idx_ff_events_tenant_type_time:
    'create index idx_ff_events_tenant_type_time on ff_events (tenant_id, event_type, event_timestamp desc) where is_valid',
  idx_ff_events_aggregate_type_time:
    'create index idx_ff_events_aggregate_type_time on ff_events (aggregate_id, event_type, event_timestamp desc) where is_valid',
  idx_ff_events_purge:
    'create index idx_ff_events_purge on ff_events (modify_date) where not is_valid',
  idx_ff_events_description_keys:
    'create index concurrently idx_ff_events_description_keys on ff_events using gin ((ff_description_keys(tenant_id, event_timestamp, event_description) collate "C")) with (gin_pending_list_limit=512) where is_valid',
  idx_ff_events_stream:
    'create index concurrently idx_ff_events_stream on ff_events (tx_id, id) where is_valid',
  idx_ff_events_tenant_stream:
    'create index concurrently idx_ff_events_tenant_stream on ff_events (tenant_id, tx_id, id) where is_valid',
};

/** Declares every index of INDEXES on the entity, so the ORM's schema diff keeps them. */
function MigratedIndexes(): ClassDecorator {
  return (target) => {
    for (const [name, expression] of Object.entries(INDEXES)) {
      Index({ name, expression })(target);
    }
  };
}

/** The statistics rollups' triggers (AddStatisticsRollups_20261125), declared by name. */
function StatisticsTriggers(): ClassDecorator {
  return (target) => {
    for (const operation of ['insert', 'update', 'delete'] as const) {
      const name = `ff_events_stats_${operation}`;
      const tables = TRANSITION_TABLES[operation];
      Trigger({
        name,
        timing: 'after',
        events: [operation],
        forEach: 'statement',
        expression: `create trigger ${name} after ${operation} on ff_events referencing ${tables} for each statement execute function ${name}()`,
      })(target);
    }
  };
}

/**
 * One row of `ff_events`: exactly the 27 columns of SPEC §3. The migrations create the table
 * (CreateEventsTable_20241220 and after) and are the reference for its DDL; this entity describes
 * the same schema, indexes, checks and defaults included, so that the ORM's schema diff against a
 * migrated database is empty (a test asserts it) and `migration:create` starts from the truth.
 * The indexes are declared by name with their definition: the ORM compares such indexes by name.
 *
 * bigint columns map to strings: ids may exceed Number.MAX_SAFE_INTEGER.
 */
@Entity({ tableName: 'ff_events' })
@MigratedIndexes()
@Check({
  name: 'ff_events_status_check',
  expression: "event_status in ('Published', 'Processed', 'Failed', 'Retry')",
})
@Check({ name: 'ff_events_tags_is_array', expression: "jsonb_typeof(event_tags) = 'array'" })
@Check({
  name: 'ff_events_counts_check',
  expression: 'process_count >= 0 and max_retry_count >= 0',
})
@StatisticsTriggers()
@Trigger({
  name: 'ff_events_notify',
  timing: 'after',
  events: ['insert'],
  forEach: 'statement',
  expression:
    'create trigger ff_events_notify after insert on ff_events for each statement execute function ff_events_notify()',
})
// Keeps ff_description_prefixes (AddDescriptionPrefixes_20261206, sql/description-prefixes.ts).
@Trigger({
  name: 'ff_events_prefixes_insert',
  timing: 'after',
  events: ['insert'],
  forEach: 'statement',
  expression:
    'create trigger ff_events_prefixes_insert after insert on ff_events referencing new table as new_rows for each statement execute function ff_events_prefixes_insert()',
})
export class StoredEvent {
  @PrimaryKey({
    type: new BigIntType('string'),
    autoincrement: true,
    generated: 'by default as identity',
  })
  id!: string;

  @Property({ columnType: 'varchar(100)' })
  eventId!: string;

  @Property({ columnType: 'varchar(100)' })
  eventType!: string;

  @Property({ columnType: 'varchar(20)' })
  eventVersion: string & Opt = '1.0';

  @Property({ columnType: 'timestamptz' })
  eventTimestamp!: Date;

  @Property({ type: new BigIntType('string') })
  aggregateId!: string;

  @Property({ columnType: 'varchar(50)' })
  aggregateType!: string;

  @Property({ columnType: 'varchar(50)', default: 'Unknown' })
  eventSource!: string;

  @Property({ type: 'json', columnType: 'jsonb' })
  eventData!: Record<string, unknown>;

  @Property({ type: 'json', columnType: 'jsonb', defaultRaw: `'{}'::jsonb` })
  eventMetadata: Record<string, unknown> & Opt = {};

  @Property({ columnType: 'varchar(500)', nullable: true })
  eventDescription?: string | null;

  @Property({ columnType: 'varchar(20)' })
  eventStatus: EventStatus & Opt = EventStatus.Published;

  @Property({ columnType: 'int' })
  processCount: number & Opt = 0;

  @Property({ columnType: 'timestamptz', nullable: true })
  lastProcessedAt?: Date | null;

  @Property({ columnType: 'varchar(2000)', nullable: true })
  errorMessage?: string | null;

  @Property({ type: new BigIntType('string'), nullable: true })
  relatedEntityId?: string | null;

  @Property({ columnType: 'varchar(50)', nullable: true })
  relatedEntityType?: string | null;

  @Property({ type: 'json', columnType: 'jsonb', defaultRaw: `'[]'::jsonb` })
  eventTags: string[] & Opt = [];

  @Property({ columnType: 'boolean' })
  requiresRetry: boolean & Opt = false;

  @Property({ columnType: 'timestamptz', nullable: true })
  nextRetryAt?: Date | null;

  @Property({ columnType: 'int' })
  maxRetryCount: number & Opt = 3;

  @Property({ columnType: 'varchar(50)' })
  tenantId!: string;

  @Property({ columnType: 'boolean' })
  isValid: boolean & Opt = true;

  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  createDate: Date & Opt = new Date();

  @Property({ columnType: 'varchar(100)' })
  createBy: string & Opt = 'system';

  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  modifyDate: Date & Opt = new Date();

  @Property({ columnType: 'varchar(100)' })
  modifyBy: string & Opt = 'system';

  /** The writing transaction's id: with id, the event's stream position (SPEC §11). */
  @Property({ columnType: 'xid8', defaultRaw: 'pg_current_xact_id()' })
  txId!: string & Opt;
}
