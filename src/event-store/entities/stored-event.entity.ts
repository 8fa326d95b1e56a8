import { BigIntType, type Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { EventStatus } from './event-status.js';

/**
 * One row of `ff_events`: exactly the 27 columns of SPEC §3. The table and its 13 indexes are
 * created by the migration CreateEventsTable_20241220, which is the reference for the DDL
 * (partial and GIN indexes are written there as SQL).
 *
 * bigint columns map to strings: ids may exceed Number.MAX_SAFE_INTEGER.
 */
@Entity({ tableName: 'ff_events' })
export class StoredEvent {
  @PrimaryKey({ type: new BigIntType('string'), autoincrement: true })
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

  @Property({ columnType: 'varchar(50)' })
  eventSource!: string;

  @Property({ type: 'json', columnType: 'jsonb' })
  eventData!: Record<string, unknown>;

  @Property({ type: 'json', columnType: 'jsonb' })
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

  @Property({ type: 'json', columnType: 'jsonb' })
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

  @Property({ columnType: 'timestamptz' })
  createDate: Date & Opt = new Date();

  @Property({ columnType: 'varchar(100)' })
  createBy: string & Opt = 'system';

  @Property({ columnType: 'timestamptz' })
  modifyDate: Date & Opt = new Date();

  @Property({ columnType: 'varchar(100)' })
  modifyBy: string & Opt = 'system';
}
