import { launchBrowser } from '../../test/support/browser.js';

export interface ConsoleTiming {
  /** From navigation start until the overview's figures and both charts are drawn. */
  readonly overviewReadyMs: number;
  /** Navigation Timing's domInteractive of the page. */
  readonly domInteractiveMs: number;
  /** What the first load transferred: the page, its script and stylesheet (compressed bytes). */
  readonly firstLoadBytes: number;
}

/**
 * Opens the console's overview in a fresh headless Chromium (empty cache) against a running
 * service, the way a person paged at night would, and times it until the data is on screen.
 */
export async function consoleTiming(baseUrl: string, tenant: string): Promise<ConsoleTiming> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
    await page.setExtraHTTPHeaders({ 'x-tenant-id': tenant });
    const started = Date.now();
    await page.goto(`${baseUrl}/console/`);
    await page.getByTestId('overview-cards').waitFor({ timeout: 60_000 });
    await page.locator('.chart canvas').nth(1).waitFor({ timeout: 60_000 });
    const overviewReadyMs = Date.now() - started;
    // Runs in the page (DOM types): written as a string, this project compiles for Node.
    const { domInteractiveMs, firstLoadBytes } = await page.evaluate<{
      domInteractiveMs: number;
      firstLoadBytes: number;
    }>(`(() => {
      const [navigation] = performance.getEntriesByType('navigation');
      const assets = performance
        .getEntriesByType('resource')
        .filter((entry) => entry.name.includes('/console/assets/'))
        .reduce((sum, entry) => sum + entry.transferSize, 0);
      return {
        domInteractiveMs: navigation.domInteractive,
        firstLoadBytes: navigation.transferSize + assets,
      };
    })()`);
    return { overviewReadyMs, domInteractiveMs: Math.round(domInteractiveMs), firstLoadBytes };
  } finally {
    await browser.close();
  }
}
