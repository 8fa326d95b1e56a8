import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMigration } from '../../src/database/migration-create.cli.js';

describe('npm run migration:create', () => {
  let directory: string;
  const index = `import type { MigrationObject } from '@mikro-orm/core';
import { First_20240101 } from './First_20240101.js';

/** Every migration, in order. */
export const migrationsList: MigrationObject[] = [
  { name: 'First_20240101', class: First_20240101 },
];
`;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'flowflex-migrations-'));
    await writeFile(join(directory, 'index.ts'), index);
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  it('writes a dated migration class and lists it last in index.ts', async () => {
    const name = await createMigration('AddThing', directory, new Date('2026-12-01T10:00:00Z'));
    expect(name).toBe('AddThing_20261201');
    expect(await readFile(join(directory, 'AddThing_20261201.ts'), 'utf8')).toContain(
      'export class AddThing_20261201 extends Migration',
    );
    const listed = await readFile(join(directory, 'index.ts'), 'utf8');
    expect(listed).toContain("import { AddThing_20261201 } from './AddThing_20261201.js';");
    expect(listed.trimEnd().split('\n').slice(-3)).toEqual([
      "  { name: 'First_20240101', class: First_20240101 },",
      "  { name: 'AddThing_20261201', class: AddThing_20261201 },",
      '];',
    ]);
  });

  it('refuses a name that is not PascalCase, and never overwrites a migration', async () => {
    await expect(createMigration('add thing', directory, new Date())).rejects.toThrow(/usage/);
    const day = new Date('2026-12-01T10:00:00Z');
    await createMigration('AddThing', directory, day);
    await expect(createMigration('AddThing', directory, day)).rejects.toThrow(/EEXIST/);
  });
});
