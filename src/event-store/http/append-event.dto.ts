import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsNotEmpty, IsOptional, IsString } from 'class-validator';
import { MaxChars } from '../../common/max-chars.js';
import { FreeFormJson } from '../../common/free-form-json.js';
import { IsInt64 } from '../../common/is-int64.js';
import { IsTimestamp } from '../../common/timestamp.js';

const toDecimalString = ({ value }: { value: unknown }) =>
  typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;

/** Body of POST /api/events: the envelope columns of SPEC §3 in camelCase. */
export class AppendEventDto {
  /** Generated when absent. The same id again returns the stored event. */
  @ApiPropertyOptional({
    maxLength: 100,
    description: 'a new UUID when absent; the same id again returns the stored event',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxChars(100)
  eventId?: string;
  @ApiProperty({ maxLength: 100 })
  @IsString()
  @IsNotEmpty()
  @MaxChars(100)
  eventType!: string;
  @ApiPropertyOptional({ maxLength: 20, description: "'1.0' when absent" })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxChars(20)
  eventVersion?: string;
  /** ISO 8601; now when absent. */
  @ApiPropertyOptional({ format: 'date-time', description: 'now when absent' })
  @IsOptional()
  @IsTimestamp()
  eventTimestamp?: string;
  @ApiProperty({ oneOf: [{ type: 'integer' }, { type: 'string', pattern: '^-?\\d{1,19}$' }] })
  @Transform(toDecimalString)
  @IsInt64()
  aggregateId!: string;
  @ApiProperty({ maxLength: 50 })
  @IsString()
  @IsNotEmpty()
  @MaxChars(50)
  aggregateType!: string;
  @ApiPropertyOptional({ maxLength: 50, description: "'Unknown' when absent" })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxChars(50)
  eventSource?: string;
  @ApiProperty({ type: 'object', additionalProperties: true })
  @FreeFormJson()
  eventData!: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @FreeFormJson()
  eventMetadata?: Record<string, unknown>;
  /** Longer text is truncated to the column's 500 characters. */
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  eventDescription?: string;
  @ApiPropertyOptional({ type: 'array', items: { type: 'string', maxLength: 100 } })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxChars(100, { each: true })
  eventTags?: string[];
  @ApiPropertyOptional({
    oneOf: [{ type: 'integer' }, { type: 'string', pattern: '^-?\\d{1,19}$' }],
  })
  @IsOptional()
  @Transform(toDecimalString)
  @IsInt64()
  relatedEntityId?: string;
  @ApiPropertyOptional({ maxLength: 50 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxChars(50)
  relatedEntityType?: string;
  /** Must be the request's tenant (X-Tenant-Id) when given. */
  @ApiPropertyOptional({ description: 'must be the request tenant when given' })
  @IsOptional()
  @IsString()
  tenantId?: string;
}
