import { existsSync, readdirSync, readFileSync } from 'node:fs';

const DOCUMENTS = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/**
 * Code in the README and docs/ is never free-standing: each TypeScript or JavaScript block names
 * the checked file it is an excerpt of (`<!-- excerpt: path -->`), a file the type check, the
 * linters and the tests cover, and every line of the block is in that file.
 */
describe('code in the README and docs/', () => {
  const blocks = DOCUMENTS.flatMap((file) =>
    [
      ...readFileSync(file, 'utf8').matchAll(
        /(?:<!-- excerpt: (\S+) -->\s*)?```(ts|js|tsx)\n([\s\S]*?)```/g,
      ),
    ].map((m) => ({ file, source: m[1], code: m[3] })),
  );

  it('has code blocks to check', () => {
    expect(blocks.length).toBeGreaterThan(4);
  });

  it.each(blocks.map((b) => [`${b.file}: ${b.code.split('\n')[0]}`, b] as const))(
    '%s is an excerpt of a checked file',
    (_, block) => {
      expect(block.source).toBeDefined();
      expect(existsSync(block.source)).toBe(true);
      const lines = new Set(
        readFileSync(block.source, 'utf8')
          .split('\n')
          .map((line) => line.trim()),
      );
      const missing = block.code
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('// examples/'))
        .filter((line) => !lines.has(line));
      expect(missing).toEqual([]);
    },
  );
});
