import { ApiProperty } from '@nestjs/swagger';
import {
  CHEAP_COUNT,
  ESTIMATED_TOTAL_ABOVE,
  EXACT_TOTAL_LIMIT,
  INDEXED_MATCH_LIMIT,
} from '../queries/event-query.js';
import { EventView } from './event.view.js';

export class EventPageView {
  @ApiProperty({ type: [EventView] }) items!: EventView[];
  @ApiProperty({
    description: `matching events: exact when totalIsExact is true; otherwise an estimate, never less than the matches counted. Exact however many when the only filters are eventType, eventStatus and eventSource (from the statistics rollups); with tags, data or keyword besides those, over ${EXACT_TOTAL_LIMIT} estimated from the share of the newest events (or, when too few of them pass, of the newest days' events) that pass, or, when few pass, exact up to ${INDEXED_MATCH_LIMIT} (on a first page sorted by event time whose other filters are only those three, a keyword whose trigrams say more than ${ESTIMATED_TOTAL_ABOVE} match is not counted: the rollups' count times the trigrams' shares, an estimate; nor is a keyword the newest events do not hold, whose page comes from the slices of five minutes that hold its word starts, when those are more than 8: their number times the events a slice holds times the share of the walked events that matched, and exact up to ${EXACT_TOTAL_LIMIT} when they are at most 8); bounded in time (startDate, endDate, days) with no other filters than those three, the whole hours inside the bounds exact from the rollups, and the parts of the hours the bounds cut counted (up to ${EXACT_TOTAL_LIMIT}) when the rollups say they hold at most ${CHEAP_COUNT} events, else that share of those hours (an estimate); otherwise exact up to ${EXACT_TOTAL_LIMIT} (up to ${CHEAP_COUNT} when PostgreSQL's planner expects more than ${ESTIMATED_TOTAL_ABOVE}), past that the planner's estimate. A pageIndex page without a next page (the first, or one with items) gives its offset plus its items, exact; an estimate is never less than that`,
  })
  total!: number;
  @ApiProperty({ description: 'false when total is an estimate' })
  totalIsExact!: boolean;
  @ApiProperty() pageIndex!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty({
    description: 'pages of total (of an estimate when totalIsExact is false)',
  })
  totalPages!: number;
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'pass as cursor for the next page; null on the last page',
  })
  nextCursor!: string | null;
}
