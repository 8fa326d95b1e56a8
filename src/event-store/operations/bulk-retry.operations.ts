import { randomUUID } from 'node:crypto';
import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Caller } from '../../access/caller.js';
import { Clock } from '../../common/clock.js';
import { parseTimestamp } from '../../common/timestamp.js';
import { ReadPool } from '../../database/read-pool.js';
import { SqlPool } from '../../database/sql.js';
import { failureGroups, type FailureGroupRow } from '../store/failure-groups.js';
import {
  createRetrySelection,
  deleteRetrySelection,
  retrySelectionState,
  runRetrySelection,
} from '../store/retry-selections.js';
import { RetrySweeper } from '../sweeps/retry.sweeper.js';
import type { RetrySelectionDto } from '../http/failures.dto.js';

/** Events one bulk retry may take: a wider filter is refused, to be narrowed (by date, say). */
export const MAX_SELECTION = 100_000;
/** How long a preview stays valid: long enough to read it, short enough to be what was seen. */
const SELECTION_TTL_MS = 15 * 60_000;

/**
 * Failures grouped by cause, and the bulk retry that freezes what a filter matched (the preview
 * count) before retrying exactly that set; within the caller's tenant.
 */
@Injectable()
export class BulkRetryOperations {
  constructor(
    private readonly db: SqlPool,
    private readonly reads: ReadPool,
    private readonly clock: Clock,
    private readonly retrySweeper: RetrySweeper,
    @InjectPinoLogger('BulkRetryOperations') private readonly logger: PinoLogger,
  ) {}

  groups(caller: Caller, limit: number): Promise<FailureGroupRow[]> {
    return failureGroups(this.reads, caller.tenantId, limit);
  }

  async select(
    caller: Caller,
    filter: RetrySelectionDto,
  ): Promise<{ selectionId: string; matched: number; expiresAt: Date }> {
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + SELECTION_TTL_MS);
    const selectionId = randomUUID();
    const matched = await createRetrySelection(
      this.db,
      {
        id: selectionId,
        tenantId: caller.tenantId,
        filter: {
          ...filter,
          startDate: filter.startDate === undefined ? undefined : parseTimestamp(filter.startDate),
          endDate: filter.endDate === undefined ? undefined : parseTimestamp(filter.endDate),
        },
        limit: MAX_SELECTION + 1,
      },
      { now, expiresAt },
    );
    if (matched > MAX_SELECTION) {
      // Never run: it goes with the next clean-up of old selections, or now.
      await deleteRetrySelection(this.db, { id: selectionId, tenantId: caller.tenantId });
      throw new BadRequestException(
        `the filter matches more than ${MAX_SELECTION} failed events; narrow it (by startDate and endDate, say) and retry in parts`,
      );
    }
    return { selectionId, matched, expiresAt };
  }

  async run(
    caller: Caller,
    selectionId: string,
  ): Promise<{ matched: number; retried: number; skipped: number }> {
    const key = { id: selectionId, tenantId: caller.tenantId };
    const by = `api:${caller.operator ? 'operator' : caller.tenantId}`;
    const result = await runRetrySelection(this.db, key, {
      now: this.clock.now(),
      actor: by.slice(0, 100),
    });
    if (!result) {
      const state = await retrySelectionState(this.db, key);
      if (state === 'unknown')
        throw new NotFoundException(`retry selection ${selectionId} not found`);
      throw new ConflictException(
        state === 'retried'
          ? `retry selection ${selectionId} has run already`
          : `retry selection ${selectionId} has expired; preview again`,
      );
    }
    this.logger.info(
      { tenantId: caller.tenantId, selectionId, ...result, by },
      'bulk retry requested',
    );
    // Due now: the sweep claims them at once rather than at its next tick.
    void this.retrySweeper.run();
    return { ...result, skipped: result.matched - result.retried };
  }
}
