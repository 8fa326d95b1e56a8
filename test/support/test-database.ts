import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** Runs one statement on this database through a short-lived connection. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.FLOWFLEX_TEST_ADMIN_URL;
  if (url === undefined)
    throw new Error('FLOWFLEX_TEST_ADMIN_URL is unset: run tests through jest');
  return url;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A new, empty database on the test server, so that test files and concurrent runs never see
 * each other's rows. Callers drop it when done.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `ff_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = adminUrl();
  await withClient(admin, (client) => client.query(`create database ${name}`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  return {
    name,
    url: databaseUrl,
    query: (sql, params) => withClient(databaseUrl, (client) => client.query(sql, params)),
    drop: async () => {
      await withClient(admin, (client) =>
        client.query(`drop database if exists ${name} with (force)`),
      );
    },
  };
}
