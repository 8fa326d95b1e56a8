import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AppendEventDto } from './append-event.dto.js';

/** Body of POST /api/events/batch (SPEC §12); each event is judged as POST /api/events judges it. */
export class AppendBatchDto {
  @ApiProperty({ type: [AppendEventDto], minItems: 1, maxItems: 1000 })
  events!: AppendEventDto[];
}

/** What became of one event of a batch. */
export class BatchItemView {
  /** Its place in the request's `events`. */
  @ApiProperty() index!: number;
  /** Its eventId (generated when absent); null when the item had no usable one. */
  @ApiProperty({ type: String, nullable: true }) eventId!: string | null;
  @ApiProperty({
    enum: ['created', 'duplicate', 'rejected', 'spooled'],
    description:
      'created: stored now; duplicate: this tenant stored the eventId before, nothing written; ' +
      'rejected: not stored, see error; spooled: the database was unreachable, the event is kept ' +
      'on disk and stored when it is back',
  })
  status!: 'created' | 'duplicate' | 'rejected' | 'spooled';
  /** Why a rejected event was refused: the message a single append would give with its 400 or 409. */
  @ApiPropertyOptional() error?: string;
}

/** The answer to POST /api/events/batch: counts, and one item per event in the request's order. */
export class BatchResultView {
  @ApiProperty() created!: number;
  @ApiProperty() duplicates!: number;
  @ApiProperty() rejected!: number;
  @ApiProperty({ description: 'kept on disk while the database was unreachable' })
  spooled!: number;
  @ApiProperty({ type: [BatchItemView] }) items!: BatchItemView[];
}
