import {
  BadRequestException,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OPERATOR_ONLY, PUBLIC_ROUTE } from './access.decorators.js';
import { ApiKeyDirectory, OPERATOR_TENANT } from './api-key.directory.js';
import type { Caller, RequestWithCaller } from './caller.js';

export const DEFAULT_TENANT = 'default';
const TENANT_PATTERN = /^[A-Za-z0-9_.:-]{1,50}$/;
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Resolves every request's caller (SPEC §7) in one place, before validation and before any
 * handler: the tenant comes from the API key when keys are configured, otherwise from
 * X-Tenant-Id (default `default`). Without API_KEYS the service is open and every caller is an
 * operator, as on a developer's machine.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyDirectory,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<RequestWithCaller>();
    try {
      request.caller = this.resolve(request);
    } catch (error) {
      // RFC 9110: a 401 names the scheme the client should use.
      if (error instanceof UnauthorizedException) {
        void context
          .switchToHttp()
          .getResponse<FastifyReply>()
          .header('www-authenticate', 'Bearer realm="flowflex-events"');
      }
      throw error;
    }
    if (
      this.reflector.getAllAndOverride<boolean>(OPERATOR_ONLY, targets) &&
      !request.caller.operator
    ) {
      throw new ForbiddenException('this operation needs the operator API key');
    }
    return true;
  }

  /** The caller a request's key and X-Tenant-Id make; 401 or 403 as the guard would answer. */
  resolve(request: FastifyRequest): Caller {
    const requested = requestedTenant(request);
    if (!this.keys.enabled) return { tenantId: requested ?? DEFAULT_TENANT, operator: true };

    const authorization = request.headers.authorization;
    const match = typeof authorization === 'string' ? BEARER.exec(authorization) : null;
    if (!match) {
      throw new UnauthorizedException('an API key is required: send Authorization: Bearer <key>');
    }
    const keyTenant = this.keys.tenantOf(match[1]);
    if (keyTenant === undefined) throw new UnauthorizedException('the API key is not known');
    if (keyTenant === OPERATOR_TENANT) {
      return { tenantId: requested ?? DEFAULT_TENANT, operator: true };
    }
    if (requested !== undefined && requested !== keyTenant) {
      throw new ForbiddenException(
        `this API key is bound to tenant ${keyTenant} and cannot act for tenant ${requested}`,
      );
    }
    return { tenantId: keyTenant, operator: false };
  }
}

function requestedTenant(request: FastifyRequest): string | undefined {
  const header = request.headers['x-tenant-id'];
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !TENANT_PATTERN.test(header)) {
    throw new BadRequestException(
      'X-Tenant-Id must be 1 to 50 characters of letters, digits, _ . : or -',
    );
  }
  return header;
}
