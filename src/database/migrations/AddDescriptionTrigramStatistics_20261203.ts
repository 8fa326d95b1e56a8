import { Migration } from '@mikro-orm/migrations';

/**
 * How common each trigram of the descriptions is, for keyword pages to ask the description index for
 * rare ones only (see keyword-trigrams.ts): an expression statistics object, whose element
 * statistics ANALYZE and autovacuum keep from the rows they sample. It costs writes nothing.
 *
 * The ANALYZE fills it now rather than at autovacuum's next visit; it samples 30,000 rows, whatever
 * the table's size, and takes no lock that holds readers or writers.
 */
export class AddDescriptionTrigramStatistics_20261203 extends Migration {
  override up(): void {
    this.addSql(`create statistics ff_events_description_trigrams
      on (show_trgm(event_description)) from ff_events`);
    this.addSql('analyze ff_events');
  }

  override down(): void {
    this.addSql('drop statistics if exists ff_events_description_trigrams');
  }
}
