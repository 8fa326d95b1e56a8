import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString } from 'class-validator';
import { MaxChars } from '../../common/max-chars.js';

export class SubscriptionParams {
  @IsString()
  @IsNotEmpty()
  @MaxChars(100)
  name!: string;
}

export class ParkedEventParams extends SubscriptionParams {
  @IsString()
  @IsNotEmpty()
  @MaxChars(100)
  eventId!: string;
}

export class ResetSubscriptionDto {
  @ApiProperty({ description: '`beginning`, `now` or a cursor', maxLength: 41 })
  @IsString()
  @IsNotEmpty()
  @MaxChars(41)
  from!: string;
}
