import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsNotEmpty, IsOptional, IsString, IsUUID } from 'class-validator';
import { MaxChars } from '../../common/max-chars.js';
import { IsTimestamp } from '../../common/timestamp.js';

/** One cause of failure: a handler and its normalized error, with the events failing on it. */
export class FailureGroupView {
  @ApiProperty({ example: 'legacy-stage-log' }) handler!: string;
  @ApiProperty({
    example: 'Error: order <n> not found',
    description: 'the error without its stack frame, UUIDs and hex ids as <id>, numbers as <n>',
  })
  cause!: string;
  @ApiProperty({ description: 'Failed events with this cause' }) events!: number;
  @ApiProperty({ description: 'of them, with an automatic retry scheduled' }) retrying!: number;
  @ApiProperty({ description: 'of them, with no automatic retry left' }) dead!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) firstSeen!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastSeen!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  nextRetryAt!: string | null;
  @ApiProperty({ type: [String] }) eventTypes!: string[];
  @ApiProperty({ description: 'one of the errors as stored' }) sampleError!: string;
  @ApiProperty() sampleEventId!: string;
}

export class FailureGroupsView {
  @ApiProperty({ type: [FailureGroupView] }) groups!: FailureGroupView[];
}

/** Which of the tenant's Failed events a bulk retry takes; all optional, all combined. */
export class RetrySelectionDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxChars(100)
  handler?: string;
  // A cause is a stored error's first line (at most 1500 characters) with each run of digits
  // made `<n>`: up to three times as long.
  @ApiPropertyOptional({
    maxLength: 4500,
    description: 'a cause as GET /api/events/failures gives it',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxChars(4500)
  cause?: string;
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxChars(100)
  eventType?: string;
  @ApiPropertyOptional({ maxLength: 50 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxChars(50)
  eventSource?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'events at or after this event time' })
  @IsOptional()
  @IsTimestamp()
  startDate?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'events at or before this event time' })
  @IsOptional()
  @IsTimestamp()
  endDate?: string;
  @ApiPropertyOptional({ description: 'dead events (no retry left) too; true when absent' })
  @IsOptional()
  @IsBoolean()
  includeDead?: boolean;
}

/** A frozen set of Failed events: the preview of a bulk retry. */
export class RetrySelectionView {
  @ApiProperty({ format: 'uuid' }) selectionId!: string;
  @ApiProperty({ description: 'Failed events frozen into the selection' }) matched!: number;
  @ApiProperty({ format: 'date-time', description: 'run it before this' }) expiresAt!: string;
}

export class RetrySelectionParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'selectionId must be a UUID' })
  selectionId!: string;
}

export class RetrySelectionResultView {
  @ApiProperty({ description: 'events in the selection' }) matched!: number;
  @ApiProperty({ description: 'still Failed, now due: the retry sweep runs them' })
  retried!: number;
  @ApiProperty({ description: 'no longer Failed (retried or closed since the preview)' })
  skipped!: number;
}
