import { BadRequestException } from '@nestjs/common';

/** A body naming a tenant other than the request's is refused, never silently re-homed. */
export function assertSameTenant(requestTenant: string, bodyTenant: string | undefined): void {
  if (bodyTenant !== undefined && bodyTenant !== requestTenant) {
    throw new BadRequestException(
      `tenantId ${bodyTenant} does not match the request's tenant ${requestTenant}`,
    );
  }
}
