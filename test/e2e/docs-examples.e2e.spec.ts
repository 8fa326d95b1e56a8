import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface Example {
  readonly file: string;
  readonly line: number;
  readonly script: string;
  /** The status the block's last request answers; 2xx for every request when absent. */
  readonly expectStatus?: number;
  /** The answer shown after the block: the real answer must have at least these fields. */
  readonly answer?: unknown;
}

const DOCUMENTS = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The shell blocks of a document that call the service, each with what it says it answers. */
function examplesOf(file: string): Example[] {
  const text = readFileSync(file, 'utf8');
  const blocks = [...text.matchAll(/(?:<!-- expect: (\d{3}) -->\s*)?```(\w+)\n([\s\S]*?)```/g)];
  const examples: Example[] = [];
  blocks.forEach((block, index) => {
    const [, expectStatus, language, body] = block;
    if (language !== 'sh' || !body.includes('curl ') || !body.includes('localhost:3000')) return;
    const next = blocks[index + 1];
    const between = next ? text.slice(block.index + block[0].length, next.index) : '';
    const answer =
      next?.[2] === 'json' && between.trim() === '' ? (JSON.parse(next[3]) as unknown) : undefined;
    examples.push({
      file,
      line: text.slice(0, block.index).split('\n').length,
      script: body,
      ...(expectStatus ? { expectStatus: Number(expectStatus) } : {}),
      ...(answer === undefined ? {} : { answer }),
    });
  });
  return examples;
}

/** Runs a shell script without blocking this process, which serves the requests it makes. */
function runScript(
  script: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Every field of `expected` is in `actual` (objects compared field by field, `…` ignored). */
function expectShape(actual: unknown, expected: unknown, path: string): void {
  if (typeof expected !== 'object' || expected === null || Array.isArray(expected)) return;
  expect(typeof actual === 'object' && actual !== null).toBe(true);
  for (const [key, value] of Object.entries(expected)) {
    if (key === '…') continue;
    if (!(key in (actual as object))) throw new Error(`${path}: the real answer has no ${key}`);
    expectShape((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
  }
}

/**
 * Runs every curl example of the README and docs/ against a fresh service, in document order, as
 * a reader would paste them: each request must succeed (or answer the status the document says),
 * and the answer printed after an example must be the shape of the real one.
 */
describe('the examples in the README and docs/', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.url, { LOG_LEVEL: 'fatal' });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const examples = DOCUMENTS.flatMap(examplesOf);

  it('finds examples to run in docs/api.md and the README', () => {
    expect(examples.filter((e) => e.file === 'docs/api.md').length).toBeGreaterThan(15);
    expect(examples.some((e) => e.file === 'README.md')).toBe(true);
  });

  it.each(examples.map((example) => [`${example.file}:${example.line}`, example] as const))(
    '%s',
    async (_, example) => {
      // Statuses go to stderr, so that pipes and $(…) in the example see the body only; a stream
      // example stops after 3 s.
      const script = `set -e
curl() {
  local code=0
  command curl --max-time 3 -w '\\n%{stderr}STATUS %{http_code}\\n' "$@" || code=$?
  [ "$code" -eq 28 ] && return 0
  return "$code"
}
${example.script.replaceAll('http://localhost:3000', base)}`;
      const run = await runScript(script);
      expect({ exit: run.status, stderr: run.stderr }).toMatchObject({ exit: 0 });
      const statuses = [...run.stderr.matchAll(/^STATUS (\d{3})$/gm)].map((m) => Number(m[1]));
      expect(statuses.length).toBeGreaterThan(0);
      const last = statuses.pop()!;
      for (const status of statuses) expect(status).toBeGreaterThanOrEqual(200);
      for (const status of statuses) expect(status).toBeLessThan(300);
      if (example.expectStatus === undefined) {
        expect(last).toBeGreaterThanOrEqual(200);
        expect(last).toBeLessThan(300);
      } else {
        expect(last).toBe(example.expectStatus);
      }
      if (example.answer !== undefined) {
        const lines = run.stdout.trim().split('\n');
        const json = lines.reverse().find((line) => /^[[{]/.test(line));
        expect(json).toBeDefined();
        expectShape(JSON.parse(json!), example.answer, `${example.file}:${example.line}`);
      }
    },
  );

  it('answers every GET route of the README route table with the example parameters it shows', async () => {
    const readme = readFileSync('README.md', 'utf8');
    // The stream never ends: its example runs above, with curl, for 3 s.
    const routes = [...readme.matchAll(/^\| `GET (\/[^`]+)`/gm)]
      .map((m) => m[1])
      .filter((route) => !route.startsWith('/api/events/stream'));
    expect(routes.length).toBeGreaterThan(8);
    const names: Record<string, string> = {
      ':eventId': 'e-1001',
      ':eventType': 'CustomerNoted',
      ':type': 'Customer',
      ':id': '42',
      ':name': 'none',
    };
    for (const route of routes) {
      const url = route.replace(/:\w+/g, (name) => names[name] ?? name);
      const response = await app.inject({ url, headers: { 'x-tenant-id': 'acme' } });
      // This service runs no subscription: the parked events of one answer 404, not a 400.
      const expected = route.includes(':name') ? 404 : 200;
      expect({ route, status: response.statusCode }).toEqual({ route, status: expected });
    }
  });
});
