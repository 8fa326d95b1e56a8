import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';

export const OPERATOR_TENANT = '*';

interface KnownKey {
  readonly digest: Buffer;
  readonly tenant: string;
}

/**
 * The configured API keys. A presented key is compared with every configured one in constant
 * time: both sides are hashed to equal-length digests first, and the loop never stops early, so
 * neither the position nor the length of a near miss shows in the response time.
 */
@Injectable()
export class ApiKeyDirectory {
  private readonly keys: readonly KnownKey[];

  constructor(config: AppConfig) {
    this.keys = config.apiKeys.map(({ key, tenant }) => ({ digest: digest(key), tenant }));
  }

  get enabled(): boolean {
    return this.keys.length > 0;
  }

  /** The tenant a key is bound to (`*` for an operator key), or undefined for an unknown key. */
  tenantOf(presented: string): string | undefined {
    const candidate = digest(presented);
    let tenant: string | undefined;
    for (const key of this.keys) {
      if (timingSafeEqual(candidate, key.digest)) tenant = key.tenant;
    }
    return tenant;
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
