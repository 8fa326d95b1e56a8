import { existsSync } from 'node:fs';
import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser } from 'playwright-core';

/** Flags of @sparticuz/chromium's Lambda profile that would weaken what the tests check. */
const UNWANTED = new Set(['--disable-web-security', '--allow-running-insecure-content']);

/**
 * A headless Chromium for the console's end-to-end tests: CHROMIUM_PATH when set, Debian's
 * /usr/bin/chromium when installed, otherwise the one @sparticuz/chromium ships inside its npm
 * package (npx playwright install downloads from a CDN, which a closed network cannot reach).
 * That build runs single-process: launch one per test file.
 */
export async function launchBrowser(): Promise<Browser> {
  const { executablePath, packaged } = await chromiumExecutable();
  const args = [
    ...(packaged ? chromium.args.filter((arg) => !UNWANTED.has(arg)) : ['--no-sandbox']),
    // No calls home: the tests check that no request leaves the service's origin.
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ];
  try {
    return await playwright.launch({ executablePath, args, headless: true });
  } catch (error) {
    // The packaged single-process build now and then dies of SIGSEGV while starting, on a loaded
    // machine (CI, 2 cores): what the tests check starts after the launch, so it is tried again once.
    process.stderr.write(`Chromium did not start, trying once more: ${String(error)}\n`);
    return playwright.launch({ executablePath, args, headless: true });
  }
}

/**
 * Which Chromium the tests launch. The packaged one is inflated to /tmp/chromium on first use, and
 * @sparticuz/chromium takes an existing path for a finished one: a second process launching while
 * the first still writes it fails with ETXTBSY. Jest's global setup calls this once, before any
 * worker starts, so that the workers only ever find it whole.
 */
export async function chromiumExecutable(): Promise<{ executablePath: string; packaged: boolean }> {
  const system = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const packaged = !existsSync(system);
  return { executablePath: packaged ? await chromium.executablePath() : system, packaged };
}
