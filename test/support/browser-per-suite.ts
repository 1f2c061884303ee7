// For end-to-end suites that watch streams in real Chromium: one browser per describe block, launched before
// its first test and closed, with every page it opened, after its last.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { closeAllBrowsers, launchBrowser } from './browser.js';

/** Registers the hooks; read `browser` inside a test or hook of the same block. */
export function browserPerSuite(): { readonly browser: Browser } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(closeAllBrowsers);
  return {
    get browser() {
      if (!browser) throw new Error('no browser yet: read it inside a test');
      return browser;
    },
  };
}
