import { Body, Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { OperatorOnly } from '../../access/access.decorators.js';
import { CurrentCaller, type Caller } from '../../access/caller.js';
import { ApiTenantScoped } from '../../docs/api-docs.decorators.js';
import { EventOperations } from '../operations/event.operations.js';
import { CleanupDto, CleanupResultView } from './cleanup.dto.js';
import { ErrorView } from './error.view.js';
import { EventIdParams } from './event-route.params.js';
import { EventView } from './event.view.js';

/** The operations of SPEC §9 that change events; each is confined to the caller's tenant. */
@ApiTags('operations')
@ApiTenantScoped()
@Controller('events')
export class EventOperationsController {
  constructor(private readonly operations: EventOperations) {}

  @Post('cleanup')
  @HttpCode(HttpStatus.OK)
  @OperatorOnly()
  @ApiOkResponse({ type: CleanupResultView })
  @ApiForbiddenResponse({ type: ErrorView, description: 'needs the operator API key' })
  async cleanup(
    @CurrentCaller() caller: Caller,
    @Body() body: CleanupDto,
  ): Promise<CleanupResultView> {
    const { rows } = await this.operations.cleanup(caller, body.olderThanDays);
    return { cleaned: rows };
  }

  @Post(':eventId/retry')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: EventView, description: 'the event after its failed handlers re-ran' })
  @ApiNotFoundResponse({ type: ErrorView })
  @ApiConflictResponse({ type: ErrorView, description: 'the event is not Failed' })
  async retry(@CurrentCaller() caller: Caller, @Param() params: EventIdParams): Promise<EventView> {
    return EventView.fromRow(await this.operations.retryNow(caller, params.eventId));
  }

  @Post(':eventId/processed')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: EventView })
  @ApiNotFoundResponse({ type: ErrorView })
  @ApiConflictResponse({ type: ErrorView, description: 'a retry of the event is running' })
  async markProcessed(
    @CurrentCaller() caller: Caller,
    @Param() params: EventIdParams,
  ): Promise<EventView> {
    return EventView.fromRow(await this.operations.markProcessed(caller, params.eventId));
  }
}
