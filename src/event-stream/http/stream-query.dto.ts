import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsNotEmpty, IsOptional, IsString } from 'class-validator';
import { IsInt64 } from '../../common/is-int64.js';
import { MaxChars } from '../../common/max-chars.js';
import { ToList } from '../../event-store/http/query-params.js';

/** Query string of GET /api/events/stream (SPEC §11). */
export class StreamQueryDto {
  @ApiPropertyOptional({
    description:
      '`beginning`, `now` (default) or a cursor (an event id: line of this stream); a `Last-Event-ID` header overrides it',
    maxLength: 41,
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxChars(41)
  from?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', maxLength: 100 },
    description: 'only these event types: eventType=a,b or eventType=a&eventType=b',
  })
  @IsOptional()
  @ToList()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxChars(100, { each: true })
  eventType?: string[];

  @ApiPropertyOptional({ maxLength: 50 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxChars(50)
  aggregateType?: string;

  @ApiPropertyOptional({ type: 'string', pattern: '^-?\\d{1,19}$' })
  @IsOptional()
  @IsInt64()
  aggregateId?: string;
}
