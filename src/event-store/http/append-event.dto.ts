import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import { IsInt64 } from '../../common/is-int64.js';

const toDecimalString = ({ value }: { value: unknown }) =>
  typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;

/** Body of POST /api/events: the envelope columns of SPEC §3 in camelCase. */
export class AppendEventDto {
  /** Generated when absent. The same id again returns the stored event. */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) eventId?: string;
  @IsString() @IsNotEmpty() @MaxLength(100) eventType!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(20) eventVersion?: string;
  /** ISO 8601; now when absent. */
  @IsOptional() @IsISO8601({ strict: true }) eventTimestamp?: string;
  @Transform(toDecimalString) @IsInt64() aggregateId!: string;
  @IsString() @IsNotEmpty() @MaxLength(50) aggregateType!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(50) eventSource?: string;
  @IsObject() eventData!: Record<string, unknown>;
  @IsOptional() @IsObject() eventMetadata?: Record<string, unknown>;
  /** Longer text is truncated to the column's 500 characters. */
  @IsOptional() @IsString() eventDescription?: string;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  eventTags?: string[];
  @IsOptional() @Transform(toDecimalString) @IsInt64() relatedEntityId?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(50) relatedEntityType?: string;
  /** Must be the request's tenant (X-Tenant-Id) when given. */
  @IsOptional() @IsString() tenantId?: string;
}
