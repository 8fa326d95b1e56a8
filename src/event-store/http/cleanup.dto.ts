import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { MAX_DAYS } from './query-events.dto.js';

export class CleanupDto {
  @ApiProperty({ minimum: 1, maximum: MAX_DAYS, example: 90 })
  @IsInt()
  @Min(1)
  @Max(MAX_DAYS)
  olderThanDays!: number;
}

export class CleanupResultView {
  @ApiProperty({ description: 'events soft-deleted by this request' })
  cleaned!: number;
}
