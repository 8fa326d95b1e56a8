import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  Min,
} from 'class-validator';
import { MaxChars } from '../../common/max-chars.js';
import { IsInt64 } from '../../common/is-int64.js';
import { IsTimestamp } from '../../common/timestamp.js';
import { EventStatus } from '../entities/event-status.js';
import {
  MAX_OFFSET,
  SORT_COLUMNS,
  type SortField,
  type SortOrder,
} from '../queries/event-query.js';
import { IsJsonObject, ToBoolean, ToInteger, ToJsonObject, ToList } from './query-params.js';

export const MAX_PAGE_SIZE = 200;
/** Deep offsets cost a scan of every row before them; past this, narrow the filters instead. */
export const MAX_PAGE_INDEX = 1_000_000;
export const MAX_DAYS = 36_500;
const SORT_FIELDS = Object.keys(SORT_COLUMNS) as SortField[];
const STATUSES = Object.values(EventStatus);

/** Query string of GET /api/events: the filters of SPEC §5, all combined with AND. */
export class QueryEventsDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxChars(100)
  eventType?: string;

  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES, { message: `eventStatus must be one of ${STATUSES.join(', ')}` })
  eventStatus?: EventStatus;

  @ApiPropertyOptional({ maxLength: 50 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxChars(50)
  eventSource?: string;

  @ApiPropertyOptional({ type: 'string', pattern: '^-?\\d{1,19}$' })
  @IsOptional()
  @IsInt64()
  aggregateId?: string;

  @ApiPropertyOptional({ maxLength: 50 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxChars(50)
  aggregateType?: string;

  @ApiPropertyOptional({ type: 'string', pattern: '^-?\\d{1,19}$' })
  @IsOptional()
  @IsInt64()
  relatedEntityId?: string;

  @ApiPropertyOptional({ maxLength: 50 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxChars(50)
  relatedEntityType?: string;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxChars(100)
  eventId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'events at or after this instant' })
  @IsOptional()
  @IsTimestamp()
  startDate?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'events at or before this instant' })
  @IsOptional()
  @IsTimestamp()
  endDate?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_DAYS, description: 'events of the last N days' })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(MAX_DAYS)
  days?: number;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', maxLength: 100 },
    description: 'the event carries all of these tags; tags=a,b or tags=a&tags=b',
  })
  @IsOptional()
  @ToList()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxChars(100, { each: true })
  tags?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @ToBoolean()
  @IsBoolean({ message: 'requiresRetry must be true or false' })
  requiresRetry?: boolean;

  @ApiPropertyOptional({ maxLength: 200, description: 'case-insensitive, in the description' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxChars(200)
  keyword?: string;

  @ApiPropertyOptional({
    type: 'string',
    description: 'URL-encoded JSON object the event data must contain, e.g. {"stageName":"Won"}',
  })
  @IsOptional()
  @ToJsonObject()
  @IsJsonObject('{"stageName":"Won"}')
  data?: Record<string, unknown>;

  @ApiPropertyOptional({
    description:
      'keyset paging: the nextCursor of the previous page (same filters and sort); constant cost however deep',
    maxLength: 400,
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxChars(400)
  cursor?: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_PAGE_INDEX,
    default: 1,
    description: `offset paging: (pageIndex - 1) × pageSize may reach ${MAX_OFFSET} events; page further with cursor`,
  })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_INDEX)
  pageIndex: number = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  pageSize: number = 20;

  @ApiPropertyOptional({ enum: SORT_FIELDS, default: 'eventTimestamp' })
  @IsOptional()
  @IsIn(SORT_FIELDS, { message: `sortField must be one of ${SORT_FIELDS.join(', ')}` })
  sortField: SortField = 'eventTimestamp';

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'desc' })
  @IsOptional()
  @IsIn(['asc', 'desc'], { message: 'sortOrder must be asc or desc' })
  sortOrder: SortOrder = 'desc';

  @ApiPropertyOptional({ description: 'operators only: include soft-deleted events' })
  @IsOptional()
  @ToBoolean()
  @IsBoolean({ message: 'includeDeleted must be true or false' })
  includeDeleted?: boolean;
}
