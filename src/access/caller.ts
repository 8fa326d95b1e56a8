import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** Who is calling, as the access guard resolved it (SPEC §7). */
export interface Caller {
  /** Every read and write of the request is confined to this tenant. */
  readonly tenantId: string;
  /** An operator may act for any tenant, see soft-deleted rows and run cleanup. */
  readonly operator: boolean;
}

export type RequestWithCaller = FastifyRequest & { caller?: Caller };

/** The request's caller; the global ApiKeyGuard has always set it before a handler runs. */
export const CurrentCaller = createParamDecorator(
  (_: unknown, context: ExecutionContext): Caller => {
    const caller = context.switchToHttp().getRequest<RequestWithCaller>().caller;
    if (!caller) throw new Error('no caller on the request: is ApiKeyGuard registered?');
    return caller;
  },
);
