// Without ffmpeg on PATH the streamer replays its bundled VP8 clip, and a real browser still gets video.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { measureFps, newPage, waitForFirstFrame } from '../test/support/browser.js';
import { browserPerSuite } from '../test/support/browser-per-suite.js';
import { requirements } from '../test/support/tools.js';
import { startPair, type Pair } from './testing/stack.js';

const ok = requirements(['chromium'], { netns: true });

describe.skipIf(!ok)('no ffmpeg on PATH', () => {
  const chromium = browserPerSuite();
  let pair: Pair | undefined;
  afterAll(async () => {
    await pair?.stop();
  });

  it('streams the bundled clip', async () => {
    // An empty directory as PATH: node is started by absolute path, ffmpeg cannot be found.
    const emptyPath = mkdtempSync(path.join(tmpdir(), 'no-ffmpeg-'));
    pair = await startPair({ PATH: emptyPath });
    const plan = await pair.streamer!.waitFor((l) => l.msg === 'media plan');
    expect(plan).toMatchObject({ kind: 'replay', path: 'bundled', ffmpeg: false });
    await pair.streamer!.waitFor((l) => l.code === 'FFMPEG_MISSING');
    const { page } = await newPage(chromium.browser);
    await page.goto(pair.url);
    await waitForFirstFrame(page);
    expect(await page.evaluate(() => document.querySelector('video')!.videoWidth)).toBe(640);
    // 4 s spans the 3 s clip's loop point: it must keep playing, not freeze at the end.
    const { frames } = await measureFps(page, 4_000);
    expect(frames).toBeGreaterThan(90);
  });
});
