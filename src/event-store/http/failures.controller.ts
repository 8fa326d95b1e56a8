import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentCaller, type Caller } from '../../access/caller.js';
import { isoOrNull } from '../../common/timestamp.js';
import { ApiTenantScoped } from '../../docs/api-docs.decorators.js';
import { BulkRetryOperations } from '../operations/bulk-retry.operations.js';
import { ErrorView } from './error.view.js';
import {
  FailureGroupsView,
  RetrySelectionDto,
  RetrySelectionParams,
  RetrySelectionResultView,
  RetrySelectionView,
} from './failures.dto.js';
import { LimitQuery } from './list-queries.dto.js';

/** Failures by cause, and retry of everything a filter matches (preview, then run). */
@ApiTags('operations')
@ApiTenantScoped()
@Controller('events')
export class FailuresController {
  constructor(private readonly bulkRetry: BulkRetryOperations) {}

  @Get('failures')
  @ApiOkResponse({
    type: FailureGroupsView,
    description: "the tenant's Failed events grouped by handler and cause, largest group first",
  })
  async failures(
    @CurrentCaller() caller: Caller,
    @Query() query: LimitQuery,
  ): Promise<FailureGroupsView> {
    const rows = await this.bulkRetry.groups(caller, query.limit);
    return {
      groups: rows.map((row) => ({
        handler: row.handler,
        cause: row.cause,
        events: row.events,
        retrying: row.retrying,
        dead: row.dead,
        firstSeen: isoOrNull(row.first_seen),
        lastSeen: isoOrNull(row.last_seen),
        nextRetryAt: isoOrNull(row.next_retry_at),
        eventTypes: row.event_types,
        sampleError: row.sample_error,
        sampleEventId: row.sample_event_id,
      })),
    };
  }

  @Post('retry-selections')
  @ApiCreatedResponse({
    type: RetrySelectionView,
    description: 'the Failed events matching now, frozen: the preview count',
  })
  @ApiBadRequestResponse({ type: ErrorView, description: 'a bad filter, or one matching too many' })
  async select(
    @CurrentCaller() caller: Caller,
    @Body() body: RetrySelectionDto,
  ): Promise<RetrySelectionView> {
    const selection = await this.bulkRetry.select(caller, body);
    return { ...selection, expiresAt: selection.expiresAt.toISOString() };
  }

  @Post('retry-selections/:selectionId/retry')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({
    type: RetrySelectionResultView,
    description: 'the frozen events still Failed are due now; the others are skipped',
  })
  @ApiNotFoundResponse({ type: ErrorView })
  @ApiConflictResponse({ type: ErrorView, description: 'already run, or expired' })
  run(
    @CurrentCaller() caller: Caller,
    @Param() params: RetrySelectionParams,
  ): Promise<RetrySelectionResultView> {
    return this.bulkRetry.run(caller, params.selectionId);
  }
}
