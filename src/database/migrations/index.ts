import type { MigrationObject } from '@mikro-orm/core';
import { AddDailyStatistics_20261125 } from './AddDailyStatistics_20261125.js';
import { AddDescriptionPrefixes_20261206 } from './AddDescriptionPrefixes_20261206.js';
import { AddDescriptionTrigramStatistics_20261203 } from './AddDescriptionTrigramStatistics_20261203.js';
import { AddEventStream_20261125 } from './AddEventStream_20261125.js';
import { AddFailedListIndex_20261206 } from './AddFailedListIndex_20261206.js';
import { AddPurgeIndex_20261124 } from './AddPurgeIndex_20261124.js';
import { AddRetryPageIndex_20261204 } from './AddRetryPageIndex_20261204.js';
import { AddRetrySelections_20261125 } from './AddRetrySelections_20261125.js';
import { AddStatisticsRollups_20261125 } from './AddStatisticsRollups_20261125.js';
import { CreateEventsTable_20241220 } from './CreateEventsTable_20241220.js';
import { DayKeyedGinIndexes_20261203 } from './DayKeyedGinIndexes_20261203.js';
import { TenantKeyedDescriptionIndex_20261206 } from './TenantKeyedDescriptionIndex_20261206.js';
import { TenantScopedIndexes_20261124 } from './TenantScopedIndexes_20261124.js';

/**
 * Every migration, in order. An explicit list rather than a folder scan, so that compiled output,
 * jest and the CLI all run the same migrations whatever the file extension.
 */
export const migrationsList: MigrationObject[] = [
  { name: 'CreateEventsTable_20241220', class: CreateEventsTable_20241220 },
  { name: 'AddPurgeIndex_20261124', class: AddPurgeIndex_20261124 },
  { name: 'TenantScopedIndexes_20261124', class: TenantScopedIndexes_20261124 },
  { name: 'AddEventStream_20261125', class: AddEventStream_20261125 },
  { name: 'AddStatisticsRollups_20261125', class: AddStatisticsRollups_20261125 },
  { name: 'AddRetrySelections_20261125', class: AddRetrySelections_20261125 },
  { name: 'AddDailyStatistics_20261125', class: AddDailyStatistics_20261125 },
  {
    name: 'AddDescriptionTrigramStatistics_20261203',
    class: AddDescriptionTrigramStatistics_20261203,
  },
  { name: 'DayKeyedGinIndexes_20261203', class: DayKeyedGinIndexes_20261203 },
  { name: 'AddRetryPageIndex_20261204', class: AddRetryPageIndex_20261204 },
  {
    name: 'TenantKeyedDescriptionIndex_20261206',
    class: TenantKeyedDescriptionIndex_20261206,
  },
  { name: 'AddFailedListIndex_20261206', class: AddFailedListIndex_20261206 },
  { name: 'AddDescriptionPrefixes_20261206', class: AddDescriptionPrefixes_20261206 },
];
