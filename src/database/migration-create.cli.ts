import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../common/project-root.js';

const MIGRATIONS = join(PROJECT_ROOT, 'src', 'database', 'migrations');

/**
 * `npm run migration:create -- AddSomething`: a new migration class, dated today, and its entry at
 * the end of migrations/index.ts (the explicit list the service runs). Write its SQL, update the
 * entity it changes, and the schema test tells whether both agree.
 */
export async function createMigration(
  name: string | undefined,
  directory: string,
  now: Date,
): Promise<string> {
  if (name === undefined || !/^[A-Z][A-Za-z0-9]{2,80}$/.test(name)) {
    throw new Error(
      'usage: npm run migration:create -- AddSomething (PascalCase, letters and digits)',
    );
  }
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  const className = `${name}_${day}`;
  const file = join(directory, `${className}.ts`);
  await writeFile(
    file,
    `import { Migration } from '@mikro-orm/migrations';

/** TODO: why this change (what it serves, and why it is safe on a large, busy table). */
export class ${className} extends Migration {
  override up(): void {
    this.addSql(\`\`);
  }

  override down(): void {
    this.addSql(\`\`);
  }
}
`,
    { flag: 'wx' },
  );
  const indexFile = join(directory, 'index.ts');
  const index = await readFile(indexFile, 'utf8');
  const withImport = index.replace(
    /\n\n\/\*\*/,
    `\nimport { ${className} } from './${className}.js';\n\n/**`,
  );
  const withEntry = withImport.replace(
    /\n];\n$/,
    `\n  { name: '${className}', class: ${className} },\n];\n`,
  );
  if (withEntry === withImport || withImport === index) {
    throw new Error(`could not add ${className} to ${indexFile}: add it to migrationsList by hand`);
  }
  await writeFile(indexFile, withEntry);
  return className;
}

if (process.argv[1]?.includes('migration-create.cli')) {
  createMigration(process.argv[2], MIGRATIONS, new Date()).then(
    (className) =>
      process.stdout.write(`created ${className} in ${MIGRATIONS}, listed in index.ts\n`),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
