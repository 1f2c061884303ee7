// The sidecar restarts under a running streamer: the streamer reconnects with back-off, registers again
// without restarting its encoder, and a new player gets video.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAllBrowsers, launchBrowser, newPage, waitForFirstFrame } from '../test/support/browser.js';
import { freePort, startNode, type RunningProcess } from '../test/support/processes.js';
import { requirements } from '../test/support/tools.js';

const ok = requirements(['chromium', 'ffmpeg'], { netns: true });

describe.skipIf(!ok)('sidecar restart', () => {
  let browser: Browser;
  const procs: RunningProcess[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await closeAllBrowsers();
    for (const p of procs.reverse()) await p.stop();
  });

  it('re-registers and serves players again', async () => {
    const [playerPort, streamerPort] = [await freePort(), await freePort()];
    const sidecarEnv = {
      PLAYER_PORT: String(playerPort),
      PLAYER_HOST: '127.0.0.1',
      STREAMER_PORT: String(streamerPort),
      SFU_PORT: '0',
      METRICS_PORT: '0',
    };
    const first = startNode('signalserver/main.ts', sidecarEnv);
    procs.push(first);
    await first.waitFor((l) => l.msg === 'listening');
    const streamer = startNode('streamer/main.ts', {
      STREAMER_URL: `ws://127.0.0.1:${streamerPort}`,
      STREAM_WIDTH: '640',
      STREAM_HEIGHT: '360',
    });
    procs.push(streamer);
    await streamer.waitFor((l) => l.msg === 'registered');

    await first.stop('SIGKILL');
    await streamer.waitFor((l) => l.code === 'SIGNALLING_LOST');
    const second = startNode('signalserver/main.ts', sidecarEnv);
    procs.push(second);
    await second.waitFor((l) => l.msg === 'listening');
    await streamer.waitFor(
      (l) => l.msg === 'registered' && streamer.lines.filter((x) => x.msg === 'registered').length === 2,
      15_000,
    );
    expect(streamer.lines.filter((l) => l.msg === 'encoder started')).toHaveLength(1);

    const { page } = await newPage(browser);
    await page.goto(`http://127.0.0.1:${playerPort}/`);
    await waitForFirstFrame(page);
  });
});
