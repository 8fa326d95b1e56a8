import { ForbiddenException } from '@nestjs/common';
import type { Caller } from '../../access/caller.js';

/** What a read may see: one tenant's rows, soft-deleted ones only when an operator asks. */
export interface ReadScope {
  readonly tenantId: string;
  readonly includeDeleted: boolean;
}

export function readScope(caller: Caller, includeDeleted = false): ReadScope {
  if (includeDeleted && !caller.operator) {
    throw new ForbiddenException('includeDeleted needs the operator API key');
  }
  return { tenantId: caller.tenantId, includeDeleted };
}
