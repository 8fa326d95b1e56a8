import type { ReadScope } from './read-scope.js';

/** The tenant-day key (ff_event_day) of a tenant (?) and a UTC day (?, YYYY-MM-DD). */
export const DAY_KEY = `ff_event_day(?, (?::date)::timestamp at time zone 'UTC')`;

/**
 * The WHERE clause of every read of ff_events. It can only be started from a scope, so the tenant
 * condition and the soft-delete condition are part of every query by construction rather than
 * remembered in each one. `is_valid` is written out literally: it is what lets the planner use
 * the partial indexes (all `where is_valid`).
 *
 * Values always travel as parameters (`?`); clauses are fixed SQL text from this codebase.
 */
export class ScopedWhere {
  private readonly clauses: string[] = [];
  private readonly values: unknown[] = [];

  /**
   * With `day` (YYYY-MM-DD, UTC), only the tenant's events of that day, by the tenant-day key of
   * the GIN indexes (ff_event_day) in place of `tenant_id = ?`. The key holds the tenant: it ends
   * in '/' and a day number, which holds no '/', so no two tenants share one. GIN intersects
   * every key of its condition in turn, and a tenant key would be advanced to each of the day's
   * entries, which lie all over the tenant's posting tree: at ten million events it read half of
   * the index pages of each day's search.
   */
  constructor(scope: ReadScope, day?: string) {
    if (day === undefined) this.and('tenant_id = ?', scope.tenantId);
    else this.and(`ff_event_day(tenant_id, event_timestamp) = ${DAY_KEY}`, scope.tenantId, day);
    if (!scope.includeDeleted) this.clauses.push('is_valid');
  }

  and(clause: string, ...values: unknown[]): this {
    this.clauses.push(clause);
    this.values.push(...values);
    return this;
  }

  /** Adds the clause only when the value is given. */
  andIf<T>(value: T | undefined, clause: string, toParam: (value: T) => unknown = (v) => v): this {
    return value === undefined ? this : this.and(clause, toParam(value));
  }

  get sql(): string {
    return `where ${this.clauses.join(' and ')}`;
  }

  get params(): unknown[] {
    return [...this.values];
  }
}
