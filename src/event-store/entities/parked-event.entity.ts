import { BigIntType, type Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * An event a subscription's handler kept failing on, set aside for that subscription with its
 * error so that the subscription goes on; listed and replayed by an operator. Created by
 * AddEventStream_20261125.
 */
@Entity({ tableName: 'ff_event_subscription_parked' })
export class ParkedEvent {
  @PrimaryKey({ columnType: 'varchar(100)' })
  subscription!: string;

  @PrimaryKey({ columnType: 'varchar(100)' })
  eventId!: string;

  @Property({ type: new BigIntType('string') })
  eventRowId!: string;

  @Property({ columnType: 'int' })
  attempts!: number;

  @Property({ columnType: 'varchar(2000)' })
  error!: string;

  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  parkedAt: Date & Opt = new Date();
}
