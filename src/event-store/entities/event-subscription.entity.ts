import { BigIntType, type Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * One in-process subscription to the event stream (SPEC §11): its checkpoint (the position it has
 * handled everything up to) and its lease (which instance runs it, until when, and the epoch that
 * fences a former owner's checkpoint writes). Created by AddEventStream_20261125.
 */
@Entity({ tableName: 'ff_event_subscriptions' })
export class EventSubscription {
  @PrimaryKey({ columnType: 'varchar(100)' })
  name!: string;

  @Property({ columnType: 'xid8', default: '0' })
  positionTx: string & Opt = '0';

  @Property({ type: new BigIntType('string'), defaultRaw: '0' })
  positionId: string & Opt = '0';

  @Property({ columnType: 'varchar(100)', nullable: true })
  leaseOwner?: string | null;

  @Property({ type: new BigIntType('string'), defaultRaw: '0' })
  leaseEpoch: string & Opt = '0';

  @Property({ columnType: 'timestamptz', nullable: true })
  leaseExpiresAt?: Date | null;

  @Property({ type: new BigIntType('string'), defaultRaw: '0' })
  delivered: string & Opt = '0';

  @Property({ columnType: 'timestamptz', nullable: true })
  lastDeliveredAt?: Date | null;

  @Property({ columnType: 'varchar(2000)', nullable: true })
  lastError?: string | null;

  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date & Opt = new Date();
}
