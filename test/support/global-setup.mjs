import { register } from 'node:module';

/**
 * Starts (or picks) one PostgreSQL server for the whole run; every test file then works in
 * databases of its own (test-database.ts). Workers inherit the admin URL through the environment,
 * which is how jest passes values from global setup to tests. The console's browser is made ready
 * here too, once, before the workers start (browser.ts says why).
 *
 * This file is plain ESM because jest loads global setup outside its module mapper, so a
 * TypeScript setup could not import the project's `.js`-suffixed ESM sources; swc-node's loader
 * compiles them here instead.
 */
export default async function globalSetup() {
  register('@swc-node/register/esm', import.meta.url);
  const { chromiumExecutable } = await import('./browser.ts');
  await chromiumExecutable();
  const { startTestServer } = await import('./test-server.ts');
  const server = await startTestServer(process.env);
  globalThis.flowflexTestServer = server;
  process.env.FLOWFLEX_TEST_ADMIN_URL = server.adminUrl;
  process.env.FLOWFLEX_TEST_SERVER_KIND = server.kind;
}
