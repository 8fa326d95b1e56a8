import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * A client generated from the served OpenAPI description (openapi-typescript, used through
 * openapi-fetch) must compile against code that uses the routes as the README shows them, and
 * must fail to compile where the description says a call is wrong: the description cannot drift
 * from the API without this test noticing.
 */
describe('a typed client generated from /docs-json', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let directory: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.url);
    // Inside the project, so that the generated code resolves openapi-fetch from node_modules.
    await mkdir(join(process.cwd(), 'test-output'), { recursive: true });
    directory = await mkdtemp(join(process.cwd(), 'test-output', 'openapi-client-'));
    const document = (await app.inject({ url: '/docs-json' })).json<Record<string, unknown>>();
    const types = astToString(await openapiTS(document as never));
    await writeFile(join(directory, 'api.d.ts'), types);
  }, 60_000);

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
    await app.close();
    await db.drop();
  });

  const compile = async (source: string): Promise<string[]> => {
    const file = join(directory, `usage-${Math.random().toString(36).slice(2)}.ts`);
    await writeFile(file, source);
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2023,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      skipLibCheck: true,
      types: [],
    });
    return ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  };

  const USAGE = `import createClient from 'openapi-fetch';
import type { paths, components } from './api.js';

const client = createClient<paths>({ baseUrl: 'http://localhost:3000' });

export async function use(): Promise<void> {
  const appended = await client.POST('/api/events', {
    body: {
      eventType: 'CustomerNoted',
      aggregateType: 'Customer',
      aggregateId: 42,
      eventData: { note: 'called back' },
      eventTags: ['crm'],
    },
  });
  // 201 or 200 with the stored event, or 202 while the database is away.
  const answer = appended.data;
  const stored: components['schemas']['EventView'] | undefined =
    answer && 'id' in answer ? answer : undefined;
  const spooled: components['schemas']['SpooledEventView'] | undefined =
    answer && 'status' in answer ? answer : undefined;
  const batch = await client.POST('/api/events/batch', {
    body: { events: [{ eventType: 'A', aggregateType: 'B', aggregateId: '1', eventData: {} }] },
  });
  const created: number | undefined = batch.data?.created;
  const page = await client.GET('/api/events', {
    params: { query: { eventType: 'CustomerNoted', pageSize: 20, cursor: 'x' } },
  });
  const next: string | null | undefined = page.data?.nextCursor;
  const one = await client.GET('/api/events/{eventId}', { params: { path: { eventId: 'e-1' } } });
  const stats = await client.GET('/api/events/statistics', { params: { query: { days: 7 } } });
  const failures = await client.GET('/api/events/failures');
  const selection = await client.POST('/api/events/retry-selections', { body: { handler: 'x' } });
  void [stored, spooled, created, next, one.data?.eventStatus, stats.data?.successRate,
    failures.data?.groups, selection.data?.matched];
}
`;

  it('compiles code that calls the routes as documented', async () => {
    expect(await compile(USAGE)).toEqual([]);
  });

  it('refuses code that sends what the API refuses', async () => {
    const wrong = USAGE.replace(
      "eventType: 'CustomerNoted',\n      aggregateType",
      'aggregateType',
    );
    const errors = await compile(wrong);
    expect(errors.join('\n')).toMatch(/eventType/);
  });
});
