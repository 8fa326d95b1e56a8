import { randomUUID } from 'node:crypto';
import { BadRequestException } from '@nestjs/common';
import { assertSameTenant } from '../../access/assert-same-tenant.js';
import type { Caller } from '../../access/caller.js';
import { parseTimestamp } from '../../common/timestamp.js';
import type { EventEnvelope } from '../event-envelope.js';
import type { EventPipeline } from '../processing/event.pipeline.js';
import type { AppendEventDto } from './append-event.dto.js';

/** Metadata the service keeps on each event (handler states, timing, manual closing). */
const RESERVED_METADATA = ['handlers', 'processingInfo', 'markedProcessed'];

/**
 * The envelope of an event appended over HTTP (one, or one of a batch), for the caller's tenant,
 * or a 400 naming what is wrong: a tenantId other than the request's, metadata only the service
 * writes, or data that, for a type this service processes, is not that very event.
 */
export function appendedEnvelope(
  body: AppendEventDto,
  caller: Caller,
  now: Date,
  pipeline: EventPipeline,
): EventEnvelope {
  assertSameTenant(caller.tenantId, body.tenantId);
  const reserved = RESERVED_METADATA.filter((key) => Object.hasOwn(body.eventMetadata ?? {}, key));
  if (reserved.length > 0) {
    throw new BadRequestException(
      reserved.map((key) => `eventMetadata.${key} is written by the service only`).join('; '),
    );
  }
  const envelope: EventEnvelope = {
    eventId: body.eventId ?? randomUUID(),
    eventType: body.eventType,
    eventVersion: body.eventVersion ?? '1.0',
    eventTimestamp: body.eventTimestamp === undefined ? now : parseTimestamp(body.eventTimestamp)!,
    aggregateId: body.aggregateId,
    aggregateType: body.aggregateType,
    eventSource: body.eventSource ?? 'Unknown',
    eventData: body.eventData,
    eventMetadata: body.eventMetadata ?? {},
    eventDescription: body.eventDescription ?? null,
    eventTags: body.eventTags ?? [],
    relatedEntityId: body.relatedEntityId ?? null,
    relatedEntityType: body.relatedEntityType ?? null,
    tenantId: caller.tenantId,
  };
  const problem = pipeline.dataProblem(envelope);
  if (problem !== undefined) throw new BadRequestException(problem);
  return envelope;
}
