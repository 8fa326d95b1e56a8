import { readFileSync } from 'node:fs';
import { AppConfig } from '../../src/config/app-config.js';

/** The variables AppConfig reads, found by their names in its source. */
function variablesRead(): string[] {
  const source = readFileSync('src/config/app-config.ts', 'utf8');
  return [...new Set([...source.matchAll(/reader\.\w+\(\s*'([A-Z_]+)'/g)].map((m) => m[1]))].sort();
}

describe('the configuration a newcomer reads', () => {
  it('lists every variable the service reads in .env.example and in the README table, and no other', () => {
    const read = variablesRead();
    expect(read.length).toBeGreaterThan(25);
    const example = [...readFileSync('.env.example', 'utf8').matchAll(/^# ([A-Z_]+)=/gm)]
      .map((m) => m[1])
      .sort();
    expect(example).toEqual(read);
    const readme = [...readFileSync('README.md', 'utf8').matchAll(/^\| `([A-Z_]+)` +\|/gm)]
      .map((m) => m[1])
      .sort();
    expect(readme).toEqual(read);
  });

  it('gives in .env.example the defaults the service uses', () => {
    const example = Object.fromEntries(
      [...readFileSync('.env.example', 'utf8').matchAll(/^# ([A-Z_]+)=(.+)$/gm)]
        .filter(([, name]) => name !== 'API_KEYS' && name !== 'DATABASE_URL')
        .map(([, name, value]) => [name, value]),
    );
    const withDefaults = AppConfig.fromEnv({});
    const withExample = AppConfig.fromEnv(example);
    expect(withExample).toEqual(withDefaults);
  });
});
