import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyDirectory } from './api-key.directory.js';
import { ApiKeyGuard } from './api-key.guard.js';

/** Authentication and tenancy for every route: one global guard (SPEC §7); the key directory for who asks. */
@Global()
@Module({
  providers: [ApiKeyDirectory, ApiKeyGuard, { provide: APP_GUARD, useExisting: ApiKeyGuard }],
  exports: [ApiKeyDirectory, ApiKeyGuard],
})
export class AccessModule {}
