import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  HttpCode,
  HttpException,
  HttpStatus,
  Post,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentCaller, type Caller } from '../../access/caller.js';
import { Clock } from '../../common/clock.js';
import { AppConfig } from '../../config/app-config.js';
import { SqlPool } from '../../database/sql.js';
import { findDeleted } from '../store/find-deleted.js';
import { DtoValidationPipe } from '../../common/validation.js';
import { ApiTenantScoped } from '../../docs/api-docs.decorators.js';
import type { EventEnvelope } from '../event-envelope.js';
import { EventPipeline, type PersistOutcome } from '../processing/event.pipeline.js';
import { findEvent } from '../store/find-event.js';
import { AppendBatchDto, BatchResultView, type BatchItemView } from './append-batch.view.js';
import { AppendEventDto } from './append-event.dto.js';
import { appendedEnvelope } from './appended-envelope.js';
import { ErrorView } from './error.view.js';
import { EventView } from './event.view.js';
import { SpooledEventView } from './spooled-event.view.js';

/** Events per POST /api/events/batch (SPEC §12). */
export const MAX_BATCH_EVENTS = 1000;

const foreignId = (eventId: string) => `eventId ${eventId} is already used by another event`;
const deletedId = (eventId: string) =>
  `eventId ${eventId} was used by an event that has since been deleted; ids are never reused`;

@ApiTags('events')
@ApiTenantScoped()
@Controller('events')
export class EventIngestController {
  private readonly itemValidation = new DtoValidationPipe();

  constructor(
    private readonly pipeline: EventPipeline,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly db: SqlPool,
  ) {}

  /** 201 with the stored event; the same eventId again: 200 with the event as stored. */
  @Post()
  @ApiCreatedResponse({ type: EventView, description: 'stored' })
  @ApiOkResponse({
    type: EventView,
    description:
      'this eventId was stored before: nothing written, the event as stored (which may differ from this body), header Idempotent-Replayed: true',
    headers: { 'Idempotent-Replayed': { description: 'true', schema: { type: 'string' } } },
  })
  @ApiConflictResponse({ type: ErrorView, description: 'the eventId belongs to another event' })
  @ApiAcceptedResponse({
    type: SpooledEventView,
    description:
      'the database is unreachable; the event is kept on disk and stored when it is back',
  })
  @ApiServiceUnavailableResponse({
    type: ErrorView,
    description: 'the database is unreachable and the spool cannot take the event; retry later',
  })
  async append(
    @CurrentCaller() caller: Caller,
    @Body() body: AppendEventDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EventView | SpooledEventView> {
    const envelope = appendedEnvelope(body, caller, this.clock.now(), this.pipeline);
    const eventId = envelope.eventId;
    const outcome = await this.pipeline.append(envelope);
    switch (outcome.status) {
      case 'spooled':
        // Durable on local disk, not yet in the database: accepted, to be stored when it is back.
        void reply.status(HttpStatus.ACCEPTED);
        return { eventId, status: 'spooled' };
      case 'lost':
        throw outcome.error;
      case 'foreign':
        // Another tenant's event is not even acknowledged to exist: the id is simply taken.
        throw new ConflictException(foreignId(eventId));
      case 'created':
        void reply.status(HttpStatus.CREATED);
        return EventView.fromRow(outcome.row!);
      case 'duplicate':
        break;
    }
    // Stored before by this tenant: read back within the tenant, deleted rows included.
    const stored = await findEvent(
      this.db,
      { tenantId: caller.tenantId, includeDeleted: true },
      eventId,
    );
    if (!stored) throw new ConflictException(foreignId(eventId));
    if (!stored.is_valid) throw new ConflictException(deletedId(eventId));
    // Same eventId, whatever the body: nothing was written, and the answer says so.
    void reply.status(HttpStatus.OK).header('idempotent-replayed', 'true');
    return EventView.fromRow(stored);
  }

  /**
   * Up to 1000 events in one request, written together (one statement when the write queue is
   * idle). Each is judged on its own; an answer is given only once every accepted event is
   * committed or spooled. A database that can take none of them: 503, and the batch can be sent
   * again as it is (what was stored comes back as duplicates).
   */
  @Post('batch')
  @HttpCode(HttpStatus.OK)
  @ApiBody({ type: AppendBatchDto })
  @ApiOkResponse({
    type: BatchResultView,
    description: 'each event created, duplicate, rejected or spooled',
  })
  @ApiBadRequestResponse({
    type: ErrorView,
    description: 'not {events: [1 to 1000 events]}: nothing written',
  })
  @ApiPayloadTooLargeResponse({
    type: ErrorView,
    description: 'over HTTP_BATCH_BODY_LIMIT_BYTES or HTTP_BATCH_JSON_MAX_ENTRIES',
  })
  @ApiServiceUnavailableResponse({
    type: ErrorView,
    description:
      'the database is unreachable and the spool cannot take the events; send the batch again later',
  })
  async appendBatch(
    @CurrentCaller() caller: Caller,
    @Body() body: unknown,
  ): Promise<BatchResultView> {
    const events = batchEvents(body);
    const now = this.clock.now();
    const judged = await Promise.all(events.map((item) => this.envelopeOf(item, caller, now)));
    const outcomes = await Promise.all(
      judged.map((item) =>
        'envelope' in item
          ? this.pipeline.append(item.envelope, { returnRow: false })
          : Promise.resolve(undefined),
      ),
    );
    const lost = outcomes.find((outcome) => outcome?.status === 'lost');
    if (lost?.status === 'lost') throw lost.error;
    // As for a single append: an id of an event deleted since is refused, not a duplicate.
    const deleted = await findDeleted(
      this.db,
      caller.tenantId,
      outcomes.flatMap((o) => (o?.status === 'duplicate' ? [o.envelope.eventId] : [])),
    );
    const items = judged.map((item, index) => batchItem(index, item, outcomes[index], deleted));
    const count = (status: BatchItemView['status']) =>
      items.filter((item) => item.status === status).length;
    return {
      created: count('created'),
      duplicates: count('duplicate'),
      rejected: count('rejected'),
      spooled: count('spooled'),
      items,
    };
  }

  /** The envelope of one event of a batch, or why it is refused (what a single append's 400 says). */
  private async envelopeOf(
    item: unknown,
    caller: Caller,
    now: Date,
  ): Promise<{ envelope: EventEnvelope } | { eventId: string | null; error: string }> {
    // One event of a batch gets no more room than a single append: the batch's own limits are
    // for the whole body.
    const tooLarge = oversized(item, this.config.bodyLimitBytes, this.config.jsonMaxEntries);
    if (tooLarge !== undefined) {
      const eventId = (item as { eventId?: unknown }).eventId;
      return { eventId: typeof eventId === 'string' ? eventId : null, error: tooLarge };
    }
    try {
      const dto = (await this.itemValidation.transform(item, {
        type: 'body',
        metatype: AppendEventDto,
      })) as AppendEventDto;
      return { envelope: appendedEnvelope(dto, caller, now, this.pipeline) };
    } catch (error) {
      if (!(error instanceof HttpException)) throw error;
      const eventId = (item as { eventId?: unknown } | null)?.eventId;
      return {
        eventId: typeof eventId === 'string' ? eventId : null,
        error: messageOf(error),
      };
    }
  }
}

/** The events of a batch body, or a 400 when it is not `{events: [1 to 1000 items]}`. */
function batchEvents(body: unknown): unknown[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestException('the body must be an object {"events": [ … ]}');
  }
  const unknown = Object.keys(body).filter((key) => key !== 'events');
  if (unknown.length > 0) {
    throw new BadRequestException(
      unknown.map((key) => `property ${key} should not exist`).join('; '),
    );
  }
  const { events } = body as { events?: unknown };
  if (!Array.isArray(events)) throw new BadRequestException('events must be an array');
  if (events.length === 0) throw new BadRequestException('events must hold at least 1 event');
  if (events.length > MAX_BATCH_EVENTS) {
    throw new BadRequestException(`events must hold at most ${MAX_BATCH_EVENTS} events`);
  }
  return events;
}

function batchItem(
  index: number,
  judged: { envelope: EventEnvelope } | { eventId: string | null; error: string },
  outcome: PersistOutcome | undefined,
  deleted: ReadonlySet<string>,
): BatchItemView {
  if (!('envelope' in judged)) {
    return { index, eventId: judged.eventId, status: 'rejected', error: judged.error };
  }
  const eventId = judged.envelope.eventId;
  switch (outcome!.status) {
    case 'duplicate':
      return deleted.has(eventId)
        ? { index, eventId, status: 'rejected', error: deletedId(eventId) }
        : { index, eventId, status: 'duplicate' };
    case 'created':
    case 'spooled':
      return { index, eventId, status: outcome!.status };
    default:
      return { index, eventId, status: 'rejected', error: foreignId(eventId) };
  }
}

/** Why one event is over a single append's limits (HTTP_BODY_LIMIT_BYTES, HTTP_JSON_MAX_ENTRIES). */
function oversized(item: unknown, maxBytes: number, maxEntries: number): string | undefined {
  let entries = 0;
  const pending: unknown[] = [item];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null) continue;
    const children: unknown[] = Array.isArray(value) ? value : Object.values(value);
    entries += children.length;
    if (entries > maxEntries) {
      return `the event has more than ${maxEntries} keys and array items (HTTP_JSON_MAX_ENTRIES)`;
    }
    pending.push(...children);
  }
  const bytes = Buffer.byteLength(JSON.stringify(item) ?? '');
  return bytes > maxBytes
    ? `the event is ${bytes} bytes of JSON, more than one append takes (HTTP_BODY_LIMIT_BYTES ${maxBytes})`
    : undefined;
}

function messageOf(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const { message } = response as { message?: string | string[] };
  return Array.isArray(message) ? message.join('; ') : (message ?? error.message);
}
