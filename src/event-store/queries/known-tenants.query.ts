import { Inject, Injectable } from '@nestjs/common';
import { ReadPool } from '../../database/read-pool.js';
import { BoundSql, type SqlExecutor } from '../../database/sql.js';

/** Tenants listed for an operator's tenant switcher, at most this many. */
const MAX_TENANTS = 1_000;

/**
 * The tenants that have events, from the statistics rollups' primary key (tenant first): a loose
 * index scan, one index probe per tenant, instead of reading every rollup row.
 */
const KNOWN_TENANTS = new BoundSql(`
  with recursive t as (
    (select tenant_id from ff_event_stats order by tenant_id limit 1)
    union all
    select (select s.tenant_id from ff_event_stats s where s.tenant_id > t.tenant_id
            order by s.tenant_id limit 1)
    from t where t.tenant_id is not null
  )
  select tenant_id from t where tenant_id is not null limit ?`);

@Injectable()
export class KnownTenantsQuery {
  constructor(@Inject(ReadPool) private readonly db: SqlExecutor) {}

  async list(): Promise<string[]> {
    const rows = await KNOWN_TENANTS.run<{ tenant_id: string }>(this.db, [MAX_TENANTS]);
    return rows.map((row) => row.tenant_id);
  }
}
