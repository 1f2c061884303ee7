// Two reference streamers on one sidecar, watched through our page in real Chromium: without `?StreamerId=`
// the page lists both and a click on one plays it; `?StreamerId=<id>` plays that one directly; an id that is
// not connected is said so, next to the ones that are.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPage, waitForFirstFrame } from '../test/support/browser.js';
import { browserPerSuite } from '../test/support/browser-per-suite.js';
import { startNode, type RunningProcess } from '../test/support/processes.js';
import { requirements } from '../test/support/tools.js';
import { pairPerSuite } from './testing/pair-per-suite.js';

const ok = requirements(['chromium', 'ffmpeg'], { netns: true });

describe.skipIf(!ok)('several streamers on one sidecar', () => {
  const chromium = browserPerSuite();
  const small = { STREAM_WIDTH: '320', STREAM_HEIGHT: '180' };
  const stack = pairPerSuite({ STREAMER_ID: 'alpha', ...small });
  let beta: RunningProcess;
  beforeAll(async () => {
    beta = startNode('streamer/main.ts', {
      STREAMER_URL: `ws://127.0.0.1:${stack.pair.streamerPort}`,
      STREAMER_ID: 'beta',
      ...small,
    });
    await beta.waitFor((l) => l.msg === 'registered', 30_000);
  });
  afterAll(async () => {
    await beta?.stop();
  });

  const joined = (s: RunningProcess) => s.lines.filter((l) => l.msg === 'player joined').length;

  it('lists the streamers when none is named, and a click plays the chosen one', async () => {
    const { page } = await newPage(chromium.browser);
    await page.goto(`${stack.pair.url}?stats=0`);
    const links = page.locator('#overlay #streamers a');
    await links.first().waitFor({ timeout: 15_000 });
    expect(await page.locator('#overlay').textContent()).toContain('Choose a stream:');
    expect(await links.allTextContents()).toEqual(['alpha', 'beta']);
    expect(await links.nth(1).getAttribute('href')).toBe('?stats=0&StreamerId=beta');
    expect(joined(beta) + joined(stack.pair.streamer!)).toBe(0);

    await links.nth(1).click();
    await page.waitForURL(/StreamerId=beta/);
    await waitForFirstFrame(page);
    expect(joined(beta)).toBe(1);
    expect(joined(stack.pair.streamer!)).toBe(0);
    await page.context().close();
  });

  it('plays ?StreamerId= directly and names a missing one', async () => {
    const { page } = await newPage(chromium.browser);
    await page.goto(`${stack.pair.url}?StreamerId=alpha`);
    await waitForFirstFrame(page);
    await stack.pair.streamer!.waitFor((l) => l.msg === 'player joined');

    const missing = await newPage(chromium.browser);
    await missing.page.goto(`${stack.pair.url}?StreamerId=gamma`);
    await missing.page.locator('#overlay #streamers a').first().waitFor({ timeout: 15_000 });
    expect(await missing.page.locator('#overlay').textContent()).toMatch(
      /^Stream "gamma" is not connected\. Connected streams:alphabeta$/,
    );
    await Promise.all([page.context().close(), missing.page.context().close()]);
  });
});
