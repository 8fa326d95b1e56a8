import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import type { SortOrder } from '../queries/event-query.js';
import { MAX_DAYS } from './query-events.dto.js';
import { ToBoolean, ToInteger } from './query-params.js';

/** Lists that are not paged are still bounded: at most this many events per response. */
export const MAX_LIST_LIMIT = 1_000;
const DEFAULT_LIST_LIMIT = 100;

export class EventLookupQuery {
  @ApiPropertyOptional({ description: 'operators only: also find a soft-deleted event' })
  @IsOptional()
  @ToBoolean()
  @IsBoolean({ message: 'includeDeleted must be true or false' })
  includeDeleted?: boolean;
}

export class LimitQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIST_LIMIT, default: DEFAULT_LIST_LIMIT })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(MAX_LIST_LIMIT)
  limit: number = DEFAULT_LIST_LIMIT;
}

export class EventsByTypeQuery extends LimitQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_DAYS, default: 30 })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(MAX_DAYS)
  days: number = 30;
}

export class AggregateEventsQuery extends LimitQuery {
  @ApiPropertyOptional({
    enum: ['asc', 'desc'],
    default: 'desc',
    description: 'desc: newest first; asc: replay order',
  })
  @IsOptional()
  @IsIn(['asc', 'desc'], { message: 'order must be asc or desc' })
  order: SortOrder = 'desc';
}

export class StatisticsQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 3650, default: 7 })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(3650)
  days: number = 7;
}

export class TimelineQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 90, default: 1 })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(90)
  days: number = 1;

  @ApiPropertyOptional({ enum: ['hour', 'day'], default: 'hour' })
  @IsOptional()
  @IsIn(['hour', 'day'], { message: 'bucket must be hour or day' })
  bucket: 'hour' | 'day' = 'hour';
}
