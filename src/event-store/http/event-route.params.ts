import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString } from 'class-validator';
import { MaxChars } from '../../common/max-chars.js';
import { IsInt64 } from '../../common/is-int64.js';

export class EventIdParams {
  @ApiProperty({ maxLength: 100 })
  @IsString()
  @IsNotEmpty()
  @MaxChars(100)
  eventId!: string;
}

export class EventTypeParams {
  @ApiProperty({ maxLength: 100, example: 'OnboardingStageCompleted' })
  @IsString()
  @IsNotEmpty()
  @MaxChars(100)
  eventType!: string;
}

export class AggregateParams {
  @ApiProperty({ maxLength: 50, example: 'Onboarding' })
  @IsString()
  @IsNotEmpty()
  @MaxChars(50)
  aggregateType!: string;

  @ApiProperty({ type: 'string', pattern: '^-?\\d{1,19}$', example: '2001' })
  @IsInt64()
  aggregateId!: string;
}
