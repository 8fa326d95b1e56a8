import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { PROCESSOR_VERSION } from '../common/instance-id.js';

/** Serves the OpenAPI description at /docs-json and its UI at /docs (SPEC §8). */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('flowflex-events')
    .setDescription(
      'Event storage for NestJS on PostgreSQL: append, query, statistics and operations, ' +
        'scoped to one tenant per request.',
    )
    .setVersion(PROCESSOR_VERSION)
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      // An opaque key from API_KEYS, compared as it is; not a JWT.
      bearerFormat: 'API key',
      description: 'an API key of API_KEYS',
    })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
