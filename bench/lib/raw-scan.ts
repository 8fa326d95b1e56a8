import pg from 'pg';

/**
 * The baseline of the catch-up figure: what a hand-written reader costs, scanning every row of
 * ff_events in pages of `page` rows by id with node-postgres (no framework, no positions).
 */
export async function rawScan(url: string, page: number): Promise<{ rows: number; ms: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    let last = '0';
    let rows = 0;
    const started = performance.now();
    for (;;) {
      const result = await client.query<{ id: string }>(
        'select * from ff_events where id > $1 order by id limit $2',
        [last, page],
      );
      rows += result.rows.length;
      if (result.rows.length < page) break;
      last = result.rows[result.rows.length - 1].id;
    }
    return { rows, ms: performance.now() - started };
  } finally {
    await client.end();
  }
}
