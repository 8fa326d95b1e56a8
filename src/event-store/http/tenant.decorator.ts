import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

export const DEFAULT_TENANT = 'default';
const TENANT_PATTERN = /^[A-Za-z0-9_.:-]{1,50}$/;

/** The request's tenant: the X-Tenant-Id header, `default` when absent (SPEC §7). */
export const Tenant = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const header = context.switchToHttp().getRequest<FastifyRequest>().headers['x-tenant-id'];
  if (header === undefined) return DEFAULT_TENANT;
  if (typeof header !== 'string' || !TENANT_PATTERN.test(header)) {
    throw new BadRequestException(
      'X-Tenant-Id must be 1 to 50 characters of letters, digits, _ . : or -',
    );
  }
  return header;
});

/** A body naming a tenant other than the request's is refused, never silently re-homed. */
export function assertSameTenant(requestTenant: string, bodyTenant: string | undefined): void {
  if (bodyTenant !== undefined && bodyTenant !== requestTenant) {
    throw new BadRequestException(
      `tenantId ${bodyTenant} does not match the request's tenant ${requestTenant}`,
    );
  }
}
