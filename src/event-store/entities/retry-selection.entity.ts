import { ArrayType, type Opt } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * Failed events frozen for a bulk retry: what the preview counted is exactly what the retry
 * touches. Created by AddRetrySelections_20261125; written and read by the store's SQL only.
 */
@Entity({ tableName: 'ff_retry_selections' })
@Index({ name: 'idx_ff_retry_selections_expires', properties: ['expiresAt'] })
export class RetrySelection {
  @PrimaryKey({ columnType: 'uuid' })
  id!: string;

  @Property({ columnType: 'varchar(50)' })
  tenantId!: string;

  @Property({ columnType: 'jsonb' })
  filter!: Record<string, unknown>;

  @Property({ type: ArrayType, columnType: 'bigint[]' })
  eventRowIds!: string[];

  @Property({ columnType: 'int' })
  matched!: number;

  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();

  @Property({ columnType: 'timestamptz' })
  expiresAt!: Date;

  @Property({ columnType: 'timestamptz', nullable: true })
  retriedAt?: Date | null;
}
