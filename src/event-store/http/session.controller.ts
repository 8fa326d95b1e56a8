import { Controller, Get } from '@nestjs/common';
import { ApiForbiddenResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { OperatorOnly } from '../../access/access.decorators.js';
import { ApiKeyDirectory } from '../../access/api-key.directory.js';
import { CurrentCaller, type Caller } from '../../access/caller.js';
import { ApiTenantScoped } from '../../docs/api-docs.decorators.js';
import { KnownTenantsQuery } from '../queries/known-tenants.query.js';
import { ErrorView } from './error.view.js';

export class SessionView {
  @ApiProperty({ description: 'the tenant this request acts for' }) tenantId!: string;
  @ApiProperty({ description: 'may act for any tenant and run operator operations' })
  operator!: boolean;
  @ApiProperty({ description: 'false: API_KEYS is unset and the API is open to anyone' })
  keysRequired!: boolean;
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
    private readonly tenants: KnownTenantsQuery,
  ) {}

  @Get('session')
  @ApiOkResponse({ type: SessionView })
  session(@CurrentCaller() caller: Caller): SessionView {
    return {
      tenantId: caller.tenantId,
      operator: caller.operator,
      keysRequired: this.keys.enabled,
    };
  }

  @Get('tenants')
  @OperatorOnly()
  @ApiOkResponse({ type: TenantsView })
  @ApiForbiddenResponse({ type: ErrorView, description: 'needs the operator API key' })
  async listTenants(): Promise<TenantsView> {
    return { tenants: await this.tenants.list() };
  }
}
