import { Controller, Get, Req, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import {
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { OperatorOnly, Public } from '../../access/access.decorators.js';
import { ApiKeyGuard } from '../../access/api-key.guard.js';
import { ApiKeyDirectory } from '../../access/api-key.directory.js';
import type { Caller } from '../../access/caller.js';
import { ApiTenantScoped } from '../../docs/api-docs.decorators.js';
import { KnownTenantsQuery } from '../queries/known-tenants.query.js';
import { ErrorView } from './error.view.js';

export class SessionView {
  @ApiProperty({ description: 'false: API_KEYS is unset and the API is open to anyone' })
  keysRequired!: boolean;
  @ApiProperty({
    description: 'the request may use the API: it has a known key, or none is needed',
  })
  signedIn!: boolean;
  @ApiPropertyOptional({ description: 'the tenant this request acts for, when signed in' })
  tenantId?: string;
  @ApiPropertyOptional({ description: 'may act for any tenant and run operator operations' })
  operator?: boolean;
  @ApiPropertyOptional({ description: 'why the request is not signed in' })
  problem?: string;
}

export class TenantsView {
  @ApiProperty({ type: [String], description: 'tenants with events, at most 1000' })
  tenants!: string[];
}

/** Who the caller is, for clients such as the console that adapt to the key they hold. */
@ApiTags('access')
@ApiTenantScoped()
@Controller()
export class SessionController {
  constructor(
    private readonly keys: ApiKeyDirectory,
    private readonly guard: ApiKeyGuard,
    private readonly tenants: KnownTenantsQuery,
  ) {}

  /**
   * Who the request's key makes the caller, answered 200 even without a valid key, so that a
   * client learns whether it must sign in without provoking a 401.
   */
  @Get('session')
  @Public()
  @ApiOkResponse({ type: SessionView })
  session(@Req() request: FastifyRequest): SessionView {
    const keysRequired = this.keys.enabled;
    let caller: Caller;
    try {
      caller = this.guard.resolve(request);
    } catch (error) {
      if (!(error instanceof UnauthorizedException)) throw error;
      return { keysRequired, signedIn: false, problem: error.message };
    }
    return { keysRequired, signedIn: true, tenantId: caller.tenantId, operator: caller.operator };
  }

  @Get('tenants')
  @OperatorOnly()
  @ApiOkResponse({ type: TenantsView })
  @ApiForbiddenResponse({ type: ErrorView, description: 'needs the operator API key' })
  async listTenants(): Promise<TenantsView> {
    return { tenants: await this.tenants.list() };
  }
}
