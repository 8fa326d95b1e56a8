import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgresServer } from '../../src/database/embedded-postgres.server.js';
import { chooseTestServer, type TestServerKind } from './test-server-choice.js';

export interface TestServer {
  readonly kind: TestServerKind;
  /** A connection URL with rights to create and drop databases. */
  readonly adminUrl: string;
  stop(): Promise<void>;
}

async function containerRuntimeAnswers(): Promise<boolean> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export async function startTestServer(env: NodeJS.ProcessEnv): Promise<TestServer> {
  const kind = await chooseTestServer(env, containerRuntimeAnswers);
  switch (kind) {
    case 'url':
      return { kind, adminUrl: env.TEST_DATABASE_URL!.trim(), stop: () => Promise.resolve() };
    case 'testcontainers': {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const container = await new PostgreSqlContainer('postgres:17-alpine').start();
      return {
        kind,
        adminUrl: container.getConnectionUri(),
        stop: async () => {
          await container.stop();
        },
      };
    }
    case 'embedded': {
      const root = await mkdtemp(join(tmpdir(), 'flowflex-test-pg-'));
      const server = await EmbeddedPostgresServer.start({
        dataDir: join(root, 'data'),
        persistent: false,
      });
      return {
        kind,
        adminUrl: server.url('postgres'),
        stop: async () => {
          await server.stop();
          await rm(root, { recursive: true, force: true });
        },
      };
    }
  }
}
