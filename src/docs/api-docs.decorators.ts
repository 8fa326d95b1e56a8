import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiHeader,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorView } from '../event-store/http/error.view.js';

/** What every tenant-scoped route has in common in the API description (SPEC §7). */
export const ApiTenantScoped = () =>
  applyDecorators(
    ApiBearerAuth(),
    ApiHeader({
      name: 'X-Tenant-Id',
      required: false,
      description:
        'the tenant to act for (default `default`); a tenant API key may only name its own tenant',
    }),
    ApiBadRequestResponse({ type: ErrorView, description: 'invalid input; the message names it' }),
    ApiUnauthorizedResponse({
      type: ErrorView,
      description: 'API keys configured, none valid given',
    }),
    ApiForbiddenResponse({ type: ErrorView, description: 'the key may not do this' }),
  );
