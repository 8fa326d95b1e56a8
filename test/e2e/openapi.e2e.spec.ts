import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getMetadataStorage } from 'class-validator';
import { entities } from '../../src/database/orm.config.js';
import {
  ParkedEventParams,
  ResetSubscriptionDto,
  SubscriptionParams,
} from '../../src/event-stream/http/subscriptions.dto.js';
import { StreamQueryDto } from '../../src/event-stream/http/stream-query.dto.js';
import { AppendEventDto } from '../../src/event-store/http/append-event.dto.js';
import {
  AggregateParams,
  EventIdParams,
  EventTypeParams,
} from '../../src/event-store/http/event-route.params.js';
import { RetrySelectionDto } from '../../src/event-store/http/failures.dto.js';
import { QueryEventsDto } from '../../src/event-store/http/query-events.dto.js';
import {
  RelatedEntityDto,
  StageCompletedDto,
} from '../../src/onboarding/http/stage-completed.dto.js';

/** Request bodies (components) and query or path parameters whose fields validation bounds. */
const DTOS = [
  AppendEventDto,
  RetrySelectionDto,
  ResetSubscriptionDto,
  StageCompletedDto,
  RelatedEntityDto,
];
const PARAMETER_DTOS = [
  QueryEventsDto,
  StreamQueryDto,
  EventIdParams,
  EventTypeParams,
  AggregateParams,
  SubscriptionParams,
  ParkedEventParams,
];

const maxCharsOf = (dto: abstract new (...args: never[]) => unknown) =>
  getMetadataStorage()
    .getTargetValidationMetadatas(dto, '', true, false)
    .filter((rule) => rule.name === 'maxChars');
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface Operation {
  parameters?: {
    name: string;
    in: string;
    schema?: { maxLength?: number; items?: { maxLength?: number } };
  }[];
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
  requestBody?: unknown;
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<
      string,
      { properties?: Record<string, { maxLength?: number; items?: { maxLength?: number } }> }
    >;
    securitySchemes: Record<string, { bearerFormat?: string; scheme?: string }>;
  };
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

  it('says /metrics is Prometheus text and that API keys are opaque bearer tokens, not JWTs', () => {
    const metrics = document.paths['/metrics'].get.responses['200'].content ?? {};
    expect(Object.keys(metrics)).toEqual(['text/plain']);
    const bearer = Object.values(document.components.securitySchemes)[0];
    expect(bearer.scheme).toBe('bearer');
    expect(bearer.bearerFormat).not.toMatch(/JWT/i);
  });

  it('gives every length-limited request field its maxLength, as validation enforces it', () => {
    const missing: string[] = [];
    for (const [name, schema] of Object.entries(document.components.schemas)) {
      const dto = DTOS.find((type) => type.name === name);
      if (!dto) continue;
      for (const rule of maxCharsOf(dto)) {
        const property = schema.properties?.[rule.propertyName];
        const max = rule.each ? property?.items?.maxLength : property?.maxLength;
        if (max !== rule.constraints[0]) {
          missing.push(
            `${name}.${rule.propertyName}: ${String(max)} ≠ ${String(rule.constraints[0])}`,
          );
        }
      }
    }
    for (const dto of PARAMETER_DTOS) {
      for (const rule of maxCharsOf(dto)) {
        for (const [path, operations] of Object.entries(document.paths)) {
          for (const [method, operation] of Object.entries(operations)) {
            const parameter = operation.parameters?.find((p) => p.name === rule.propertyName);
            if (!parameter) continue;
            const max = parameter.schema?.maxLength ?? parameter.schema?.items?.maxLength;
            if (max === undefined) missing.push(`${method} ${path} ${rule.propertyName}`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('gives every event field stored in a varchar the maxLength of its column', async () => {
    const { rows } = await db.query<{ column_name: string; character_maximum_length: number }>(
      `select column_name, character_maximum_length from information_schema.columns
       where table_name = 'ff_events' and data_type = 'character varying'`,
    );
    const view = document.components.schemas.EventView.properties ?? {};
    const camel = (column: string) => column.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
    const wrong = rows
      .filter((row) => camel(row.column_name) in view)
      .filter((row) => view[camel(row.column_name)].maxLength !== row.character_maximum_length)
      .map((row) => `${row.column_name} varchar(${row.character_maximum_length})`);
    expect(wrong).toEqual([]);
    expect(rows.length).toBeGreaterThan(10);
    expect(entities.length).toBeGreaterThan(0);
  });
});
