import { ApiProperty } from '@nestjs/swagger';
import { EventStatus } from '../entities/event-status.js';
import type { EventStatistics } from '../queries/event-statistics.query.js';

class TypeStatisticsView {
  @ApiProperty() eventType!: string;
  @ApiProperty() total!: number;
  @ApiProperty() processed!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() dead!: number;
  @ApiProperty({ type: 'number', nullable: true }) averageProcessingMs!: number | null;
  @ApiProperty({ type: 'number', nullable: true }) p95ProcessingMs!: number | null;
}

class SourceStatisticsView {
  @ApiProperty() eventSource!: string;
  @ApiProperty() total!: number;
}

class DayStatisticsView {
  @ApiProperty({ example: '2026-11-24', description: 'UTC day' }) day!: string;
  @ApiProperty() total!: number;
  @ApiProperty() processed!: number;
  @ApiProperty() failed!: number;
}

class ProcessingTimeView {
  @ApiProperty({ type: 'number', nullable: true }) average!: number | null;
  @ApiProperty({ type: 'number', nullable: true }) p95!: number | null;
}

class StorageView {
  @ApiProperty() eventsTableBytes!: number;
  @ApiProperty() legacyLogTableBytes!: number;
  @ApiProperty() totalBytes!: number;
}

/** The response of GET /api/events/statistics (SPEC §5). */
export class EventStatisticsView implements EventStatistics {
  @ApiProperty() days!: number;
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty() total!: number;
  @ApiProperty({
    type: 'object',
    properties: Object.fromEntries(
      Object.values(EventStatus).map((status) => [status, { type: 'integer' }]),
    ),
  })
  byStatus!: Record<EventStatus, number>;
  @ApiProperty({ type: [TypeStatisticsView], description: 'the 100 largest types' })
  byType!: TypeStatisticsView[];
  @ApiProperty({ type: [SourceStatisticsView], description: 'the 100 largest sources' })
  bySource!: SourceStatisticsView[];
  @ApiProperty({ type: [DayStatisticsView] }) byDay!: DayStatisticsView[];
  @ApiProperty({ description: 'Processed / total' }) successRate!: number;
  @ApiProperty({ description: 'Failed / total' }) errorRate!: number;
  @ApiProperty({ description: 'attempts beyond the first' }) retriesMade!: number;
  @ApiProperty({ description: 'Failed with no retry left' }) deadEvents!: number;
  @ApiProperty({ type: ProcessingTimeView }) processingTimeMs!: ProcessingTimeView;
  @ApiProperty({ type: StorageView, description: 'whole tables, all tenants' })
  storage!: StorageView;
}

class TimelinePointView {
  @ApiProperty({ format: 'date-time', description: "the bucket's start" }) at!: string;
  @ApiProperty() total!: number;
  @ApiProperty() processed!: number;
  @ApiProperty() failed!: number;
}

/** Events per hour or day of event time; every bucket of the window, empty ones as zeros. */
export class EventTimelineView {
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ enum: ['hour', 'day'] }) bucket!: 'hour' | 'day';
  @ApiProperty({ type: [TimelinePointView] }) points!: TimelinePointView[];
}
