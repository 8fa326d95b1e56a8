import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const OUT_DIR = resolve(import.meta.dirname, '../dist/console');

/**
 * Writes .gz and .br beside every built asset, so that @fastify/static serves them as they are
 * (preCompressed) instead of compressing on each request.
 */
function precompress(): Plugin {
  return {
    name: 'flowflex-precompress',
    apply: 'build',
    async closeBundle() {
      const assets = join(OUT_DIR, 'assets');
      for (const name of await readdir(assets)) {
        if (!/\.(js|css|svg)$/.test(name)) continue;
        const content = await readFile(join(assets, name));
        await writeFile(join(assets, `${name}.gz`), gzipSync(content, { level: 9 }));
        await writeFile(
          join(assets, `${name}.br`),
          brotliCompressSync(content, {
            params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY },
          }),
        );
      }
    },
  };
}

/**
 * The console is built into dist/console by `npm run build`. Asset URLs are relative (base './'):
 * the served page's <base href> carries the path the service is reached under, which the server
 * sets per request (see src/console/console.routes.ts).
 */
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [precompress()],
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
  },
});
