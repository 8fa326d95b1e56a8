import { ormConfig } from './src/database/orm.config.js';

/**
 * Configuration for the `mikro-orm` CLI (for example `npx mikro-orm migration:create`), against
 * the database in DATABASE_URL. The service itself and `npm run migration:up|down` do not use
 * this file: they share the start-up path in src/database, embedded server and lock included.
 */
const databaseUrl = process.env.DATABASE_URL;
if (databaseUrl === undefined) {
  throw new Error(
    'Set DATABASE_URL to use the mikro-orm CLI, e.g. postgres://postgres@127.0.0.1/flowflex',
  );
}

export default ormConfig(databaseUrl);
