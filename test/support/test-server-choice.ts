export type TestServerKind = 'url' | 'testcontainers' | 'embedded';

/**
 * Which PostgreSQL the integration tests use, in the order the project promises: the server named
 * by TEST_DATABASE_URL; otherwise a testcontainers PostgreSQL when a container runtime answers;
 * otherwise an embedded PostgreSQL, which needs nothing installed.
 */
export async function chooseTestServer(
  env: NodeJS.ProcessEnv,
  containerRuntimeAnswers: () => Promise<boolean>,
): Promise<TestServerKind> {
  if (env.TEST_DATABASE_URL?.trim()) return 'url';
  if (await containerRuntimeAnswers()) return 'testcontainers';
  return 'embedded';
}
