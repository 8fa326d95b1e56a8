import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { OperatorOnly } from '../../access/access.decorators.js';
import { ApiTenantScoped } from '../../docs/api-docs.decorators.js';
import { ErrorView } from '../../event-store/http/error.view.js';
import { LimitQuery } from '../../event-store/http/list-queries.dto.js';
import { SubscriptionsService } from '../subscriptions/subscriptions.service.js';
import { ParkedEventView, SubscriptionView } from './subscription.view.js';
import {
  ParkedEventParams,
  ResetSubscriptionDto,
  SubscriptionParams,
} from './subscriptions.dto.js';

/** The operations of the in-process subscriptions (SPEC §11): operator key only. */
@ApiTags('subscriptions')
@ApiTenantScoped()
@OperatorOnly()
@Controller('subscriptions')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Get()
  @ApiOkResponse({ type: [SubscriptionView] })
  async list(): Promise<SubscriptionView[]> {
    return (await this.subscriptions.status()).map((status) => SubscriptionView.from(status));
  }

  @Get(':name/parked')
  @ApiOkResponse({ type: [ParkedEventView] })
  @ApiNotFoundResponse({ type: ErrorView, description: 'no subscription of that name' })
  async parked(
    @Param() params: SubscriptionParams,
    @Query() query: LimitQuery,
  ): Promise<ParkedEventView[]> {
    return (await this.subscriptions.parked(params.name, query.limit)).map((row) =>
      ParkedEventView.from(row),
    );
  }

  @Post(':name/parked/:eventId/replay')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ description: 'handled: no longer parked' })
  @ApiNotFoundResponse({ type: ErrorView, description: 'no such subscription or parked event' })
  @ApiConflictResponse({ type: ErrorView, description: 'the handler failed again; still parked' })
  async replay(@Param() params: ParkedEventParams): Promise<{ replayed: true }> {
    await this.subscriptions.replay(params.name, params.eventId);
    return { replayed: true };
  }

  @Post(':name/reset')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: SubscriptionView })
  @ApiNotFoundResponse({ type: ErrorView, description: 'no subscription of that name' })
  async reset(
    @Param() params: SubscriptionParams,
    @Body() body: ResetSubscriptionDto,
  ): Promise<SubscriptionView> {
    await this.subscriptions.reset(params.name, body.from);
    const status = (await this.subscriptions.status()).find((s) => s.name === params.name)!;
    return SubscriptionView.from(status);
  }
}
