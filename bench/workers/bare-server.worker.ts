import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import pg from 'pg';

/**
 * The baseline of the HTTP ingest figures: what a user would write by hand instead of this
 * service. node:http and node-postgres, one `INSERT … ON CONFLICT DO NOTHING` per request into the
 * same ff_events, answered 201 once committed; no framework, no validation beyond JSON.parse, no
 * logging. Prints `LISTENING <port>` when ready.
 */
const { url, port } = JSON.parse(process.argv[2]) as { url: string; port: number };
const pool = new pg.Pool({ connectionString: url, max: 16 });

const INSERT = `insert into ff_events (event_id, event_type, event_version, event_timestamp,
    aggregate_id, aggregate_type, event_source, event_data, event_metadata, event_description,
    event_tags, tenant_id, create_by, modify_by)
  values ($1, $2, '1.0', now(), $3, $4, $5, $6, '{}', $7, $8, $9, 'bare', 'bare')
  on conflict do nothing`;

interface Body {
  eventId?: string;
  eventType: string;
  aggregateId: number;
  aggregateType: string;
  eventSource?: string;
  eventData: object;
  eventDescription?: string;
  eventTags?: string[];
}

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    let body: Body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Body;
    } catch {
      response.writeHead(400).end();
      return;
    }
    const eventId = body.eventId ?? randomUUID();
    pool
      .query(INSERT, [
        eventId,
        body.eventType,
        body.aggregateId,
        body.aggregateType,
        body.eventSource ?? 'Unknown',
        JSON.stringify(body.eventData),
        body.eventDescription ?? null,
        JSON.stringify(body.eventTags ?? []),
        request.headers['x-tenant-id'] ?? 'default',
      ])
      .then(
        () => {
          response.writeHead(201, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ eventId }));
        },
        () => response.writeHead(500).end(),
      );
  });
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`LISTENING ${port}\n`));
process.on('SIGTERM', () => {
  server.close();
  void pool.end();
});
