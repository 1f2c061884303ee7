// The page over plain HTTP from an address that is not loopback, as with Docker Compose on a LAN host or an
// Ingress without TLS: Chromium treats only loopback as trustworthy, so a Content-Security-Policy with
// `upgrade-insecure-requests` there sends every script and style of the page to https:// and nothing plays.
import { describe, expect, it } from 'vitest';
import { EGRESS } from '../scripts/netns.mjs';
import { newPage, waitForFirstFrame } from '../test/support/browser.js';
import { browserPerSuite } from '../test/support/browser-per-suite.js';
import { requirements } from '../test/support/tools.js';
import { startPair } from '../streamer/testing/stack.js';

const ok = requirements(['chromium', 'ffmpeg'], { netns: true });

describe.skipIf(!ok)('the player page over plain HTTP on a non-loopback address', () => {
  const chromium = browserPerSuite();

  it('loads every script and plays', async () => {
    const pair = await startPair({ STREAM_CODEC: 'vp8' }, {}, EGRESS.address);
    try {
      expect(pair.url).toBe(`http://${EGRESS.address}:${pair.playerPort}/`);
      const { page, console } = await newPage(chromium.browser);
      const failed: string[] = [];
      page.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText ?? ''}`));
      await page.goto(pair.url);
      await waitForFirstFrame(page).catch((err: Error) => {
        throw new Error(`${err.message}\n${[...failed, ...console.slice(-20)].join('\n')}`);
      });
      expect(failed).toEqual([]);
      const csp = (await page.request.get(pair.url)).headers()['content-security-policy'] ?? '';
      expect(csp).not.toContain('upgrade-insecure-requests');
    } finally {
      await pair.stop();
    }
  });
});
