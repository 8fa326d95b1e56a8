import { ApiProperty } from '@nestjs/swagger';
import { EXACT_TOTAL_LIMIT, INDEXED_MATCH_LIMIT } from '../queries/event-query.js';
import { EventView } from './event.view.js';

export class EventPageView {
  @ApiProperty({ type: [EventView] }) items!: EventView[];
  @ApiProperty({
    description: `matching events: exact however many when the only filters are eventType, eventStatus and eventSource (from the statistics rollups); with tags, data or keyword besides those, over ${EXACT_TOTAL_LIMIT} an estimate from the share of the newest events that pass (totalIsExact false), or when few pass exact up to ${INDEXED_MATCH_LIMIT} and past that ${INDEXED_MATCH_LIMIT}, a lower bound; otherwise exact up to ${EXACT_TOTAL_LIMIT}, past that ${EXACT_TOTAL_LIMIT}, a lower bound (totalIsExact false)`,
  })
  total!: number;
  @ApiProperty({ description: 'false when total is a lower bound or an estimate' })
  totalIsExact!: boolean;
  @ApiProperty() pageIndex!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty({
    description: 'pages of total (a lower bound or an estimate when totalIsExact is false)',
  })
  totalPages!: number;
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'pass as cursor for the next page; null on the last page',
  })
  nextCursor!: string | null;
}
