import { ApiProperty } from '@nestjs/swagger';
import { EventView } from './event.view.js';

export class EventPageView {
  @ApiProperty({ type: [EventView] }) items!: EventView[];
  @ApiProperty({ description: 'exact number of matching events' }) total!: number;
  @ApiProperty() pageIndex!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty() totalPages!: number;
}
