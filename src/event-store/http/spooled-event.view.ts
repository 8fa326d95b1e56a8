import { ApiProperty } from '@nestjs/swagger';

/** POST /api/events while the database is unreachable: kept on disk, stored when it is back. */
export class SpooledEventView {
  @ApiProperty() eventId!: string;
  @ApiProperty({ enum: ['spooled'] }) status!: 'spooled';
}
