import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import {
  ApiHeader,
  ApiOkResponse,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentCaller, type Caller } from '../../access/caller.js';
import { AppConfig } from '../../config/app-config.js';
import { SqlPool } from '../../database/sql.js';
import { ApiTenantScoped } from '../../docs/api-docs.decorators.js';
import { ErrorView } from '../../event-store/http/error.view.js';
import { StreamClient } from '../live/stream-client.js';
import { StreamHub } from '../live/stream-hub.js';
import { currentWatermark } from '../store/read-stream.js';
import { StreamMetrics } from '../stream.metrics.js';
import { BEGINNING, cursorParam, type StreamPosition } from '../stream-position.js';
import { StreamQueryDto } from './stream-query.dto.js';

/** Open streams are at STREAM_MAX_CLIENTS: 503 with Retry-After, like an outage. */
class StreamCapacityError extends Error {
  readonly unavailable = true;

  constructor(max: number) {
    super(`${max} event streams are open already (STREAM_MAX_CLIENTS)`);
  }
}

@ApiTags('stream')
@ApiTenantScoped()
@Controller('events')
export class EventStreamController {
  constructor(
    private readonly hub: StreamHub,
    private readonly db: SqlPool,
    private readonly metrics: StreamMetrics,
    private readonly config: AppConfig,
  ) {}

  /**
   * The request tenant's events as Server-Sent Events (SPEC §11): the stored ones from the start
   * point, then live ones, each `id: <cursor>`, `event: <eventType>`, `data: <the event>`; a
   * comment every 15 s. A reconnecting EventSource sends Last-Event-ID and resumes right after the
   * last event it got.
   */
  @Get('stream')
  @ApiProduces('text/event-stream')
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'resume after this cursor (an EventSource sends it on reconnect)',
  })
  @ApiOkResponse({
    description:
      'text/event-stream; each message data is an event as GET /api/events/:eventId returns it',
  })
  @ApiServiceUnavailableResponse({
    type: ErrorView,
    description: 'STREAM_MAX_CLIENTS streams are open, or the database is unavailable; retry later',
  })
  async stream(
    @CurrentCaller() caller: Caller,
    @Query() query: StreamQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const start =
      lastEventId !== undefined && lastEventId !== ''
        ? cursorParam('Last-Event-ID', lastEventId)
        : await this.startOf(query.from ?? 'now');
    if (!this.hub.admit(this.config.stream.maxClients)) {
      throw new StreamCapacityError(this.config.stream.maxClients);
    }
    reply.hijack();
    // The security headers set so far (helmet's) go out with the stream's own.
    const headers = Object.fromEntries(
      Object.entries(reply.getHeaders()).filter(
        (entry): entry is [string, string | number | string[]] => entry[1] !== undefined,
      ),
    );
    reply.raw.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // nginx and similar proxies buffer responses unless told not to.
      'x-accel-buffering': 'no',
    });
    reply.raw.write(': connected\nretry: 3000\n\n');
    this.metrics.streamOpened();
    const client: StreamClient = new StreamClient(
      reply.raw,
      {
        tenantId: caller.tenantId,
        eventTypes: query.eventType,
        aggregateType: query.aggregateType,
        aggregateId: query.aggregateId,
      },
      start,
      this.config.stream.clientStallMs,
      this.config.stream.heartbeatMs,
      () => {
        this.hub.leave(client);
        this.hub.release();
        this.metrics.streamClosed();
      },
    );
    await this.hub.serve(client);
  }

  private async startOf(from: string): Promise<StreamPosition> {
    if (from === 'beginning') return BEGINNING;
    if (from === 'now') return currentWatermark(this.db);
    return cursorParam('from', from);
  }
}
