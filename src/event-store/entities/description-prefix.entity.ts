import { Entity, PrimaryKey } from '@mikro-orm/decorators/legacy';

/**
 * A word start of some description of a tenant in one slice (AddDescriptionPrefixes_20261206,
 * see sql/description-prefixes.ts), kept by a trigger on ff_events: where a keyword page looks for
 * the newest events that may hold its words.
 */
@Entity({ tableName: 'ff_description_prefixes' })
export class DescriptionPrefix {
  @PrimaryKey({ columnType: 'varchar(50)' }) tenantId!: string;
  @PrimaryKey({ columnType: 'varchar(4)' }) prefix!: string;
  @PrimaryKey({ columnType: 'timestamptz' }) slice!: Date;
}
