import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface Operation {
  parameters?: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
  requestBody?: unknown;
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
}

/** Every route of SPEC §9 served under /api, as the description must list it. */
const ROUTES: [method: string, path: string][] = [
  ['post', '/api/events'],
  ['post', '/api/onboarding/stage-completed'],
  ['get', '/api/events'],
  ['get', '/api/events/statistics'],
  ['get', '/api/events/failed'],
  ['get', '/api/events/types/{eventType}'],
  ['get', '/api/events/aggregates/{aggregateType}/{aggregateId}'],
  ['get', '/api/events/{eventId}'],
  ['post', '/api/events/{eventId}/retry'],
  ['post', '/api/events/{eventId}/processed'],
  ['post', '/api/events/cleanup'],
  ['get', '/health'],
  ['get', '/health/live'],
  ['get', '/metrics'],
];

describe('OpenAPI at /docs', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let document: OpenApiDocument;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.url);
    const response = await app.inject({ url: '/docs-json' });
    expect(response.statusCode).toBe(200);
    document = response.json<OpenApiDocument>();
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('serves the UI', async () => {
    const response = await app.inject({ url: '/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.body).toMatch(/swagger-ui/i);
  });

  it.each(ROUTES)('describes %s %s with a response schema', (method, path) => {
    const operation = document.paths[path]?.[method];
    expect(operation).toBeDefined();
    const success = Object.entries(operation?.responses ?? {}).find(([code]) =>
      code.startsWith('2'),
    );
    expect(success).toBeDefined();
  });

  it('lists every filter of the paged query and the tenant header', () => {
    const names = (document.paths['/api/events'].get.parameters ?? []).map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'X-Tenant-Id',
        'eventType',
        'eventStatus',
        'eventSource',
        'aggregateId',
        'aggregateType',
        'relatedEntityId',
        'relatedEntityType',
        'eventId',
        'startDate',
        'endDate',
        'days',
        'tags',
        'requiresRetry',
        'keyword',
        'data',
        'pageIndex',
        'pageSize',
        'sortField',
        'sortOrder',
        'includeDeleted',
      ]),
    );
  });

  it('describes the event with all 27 columns and the request bodies', () => {
    expect(Object.keys(document.components.schemas.EventView.properties ?? {})).toHaveLength(27);
    expect(document.paths['/api/events'].post.requestBody).toBeDefined();
    expect(document.paths['/api/events/cleanup'].post.requestBody).toBeDefined();
    expect(Object.keys(document.components.schemas.StageCompletedDto.properties ?? {})).toEqual(
      expect.arrayContaining(['onboardingId', 'completedStageName', 'relatedEntity']),
    );
  });
});
