import { ApiProperty } from '@nestjs/swagger';

export class PublishedEventView {
  @ApiProperty({ description: 'the id under which the event will be stored' }) eventId!: string;
}
