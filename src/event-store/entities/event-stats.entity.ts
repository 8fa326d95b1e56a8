import { BigIntType } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * One hourly statistics bucket of a tenant (AddStatisticsRollups_20261125): valid events of one
 * hour, type, source and status (and deadness), kept by triggers on ff_events.
 */
@Entity({ tableName: 'ff_event_stats' })
export class EventStatsBucket {
  @PrimaryKey({ columnType: 'varchar(50)' }) tenantId!: string;
  @PrimaryKey({ columnType: 'timestamptz' }) hour!: Date;
  @PrimaryKey({ columnType: 'varchar(100)' }) eventType!: string;
  @PrimaryKey({ columnType: 'varchar(50)' }) eventSource!: string;
  @PrimaryKey({ columnType: 'varchar(20)' }) eventStatus!: string;
  @PrimaryKey({ columnType: 'boolean' }) dead!: boolean;
  @Property({ type: new BigIntType('string'), defaultRaw: '0' }) events!: string;
  @Property({ type: new BigIntType('string'), defaultRaw: '0' }) retries!: string;
  @Property({ type: new BigIntType('string'), defaultRaw: '0' }) timed!: string;
  @Property({ columnType: 'double precision', defaultRaw: '0' }) durationMsSum!: number;
}

/** One bucket of the processing-time histogram of a tenant's hour and type. */
@Entity({ tableName: 'ff_event_stats_durations' })
export class EventDurationBucket {
  @PrimaryKey({ columnType: 'varchar(50)' }) tenantId!: string;
  @PrimaryKey({ columnType: 'timestamptz' }) hour!: Date;
  @PrimaryKey({ columnType: 'varchar(100)' }) eventType!: string;
  @PrimaryKey({ columnType: 'smallint' }) bucket!: number;
  @Property({ type: new BigIntType('string'), defaultRaw: '0' }) events!: string;
}

/** The same counts per UTC day (AddDailyStatistics_20261125): long windows read days, not hours. */
@Entity({ tableName: 'ff_event_stats_daily' })
export class EventStatsDay {
  @PrimaryKey({ columnType: 'varchar(50)' }) tenantId!: string;
  @PrimaryKey({ columnType: 'date' }) day!: string;
  @PrimaryKey({ columnType: 'varchar(100)' }) eventType!: string;
  @PrimaryKey({ columnType: 'varchar(50)' }) eventSource!: string;
  @PrimaryKey({ columnType: 'varchar(20)' }) eventStatus!: string;
  @PrimaryKey({ columnType: 'boolean' }) dead!: boolean;
  @Property({ type: new BigIntType('string'), defaultRaw: '0' }) events!: string;
  @Property({ type: new BigIntType('string'), defaultRaw: '0' }) retries!: string;
  @Property({ type: new BigIntType('string'), defaultRaw: '0' }) timed!: string;
  @Property({ columnType: 'double precision', defaultRaw: '0' }) durationMsSum!: number;
}

/** One bucket of the processing-time histogram of a tenant's UTC day and type. */
@Entity({ tableName: 'ff_event_stats_durations_daily' })
export class EventDurationDay {
  @PrimaryKey({ columnType: 'varchar(50)' }) tenantId!: string;
  @PrimaryKey({ columnType: 'date' }) day!: string;
  @PrimaryKey({ columnType: 'varchar(100)' }) eventType!: string;
  @PrimaryKey({ columnType: 'smallint' }) bucket!: number;
  @Property({ type: new BigIntType('string'), defaultRaw: '0' }) events!: string;
}
