// Mouse and keyboard from Epic's frontend in real Chromium reach the real streamer process, decoded with the
// values the page sent; the Unreal-style handshake (Protocol → RequestInitialSettings → InitialSettings) and
// Epic's latency test work against our replies.
import { describe, expect, it } from 'vitest';
import { newPage, waitForFirstFrame } from '../test/support/browser.js';
import { browserPerSuite } from '../test/support/browser-per-suite.js';
import type { LogLine } from '../test/support/processes.js';
import { requirements } from '../test/support/tools.js';
import { pairPerSuite } from './testing/pair-per-suite.js';

const ok = requirements(['chromium', 'ffmpeg'], { netns: true });

describe.skipIf(!ok)('input from the page', () => {
  const chromium = browserPerSuite();
  const stack = pairPerSuite({ STATS_INTERVAL_SECONDS: '1' });

  it('arrives at the streamer decoded with the right values', async () => {
    const { page } = await newPage(chromium.browser);
    await page.goto(stack.pair.url);
    await waitForFirstFrame(page);
    const streamer = stack.pair.streamer!;
    const input = (type: string, pred: (l: LogLine) => boolean = () => true) =>
      streamer.waitFor((l) => l.msg === 'input' && l.inputType === type && pred(l), 10_000);

    // The frontend answers our Protocol message the way it answers Unreal's, and takes our InitialSettings
    // (its defaults are 60 fps and no bitrate cap; ours are the streamer's 30 fps and 2500 kbit/s).
    await input('RequestInitialSettings');
    type Settings = { config: { getNumericSettingValue(id: string): number } };
    const settings = () =>
      page.evaluate(() => {
        const { stream } = (window as unknown as { pixelstream: { stream: Settings } }).pixelstream;
        return [
          stream.config.getNumericSettingValue('WebRTCFPS'),
          stream.config.getNumericSettingValue('WebRTCMaxBitrate'),
        ];
      });
    await expect.poll(settings, { timeout: 5_000 }).toEqual([30, 2500]);

    // Epic's latency test gets our LatencyTest reply and computes its figures from it.
    const latency = await page.evaluate(
      () =>
        new Promise<Record<string, number>>((resolve, reject) => {
          const { stream } = (
            window as unknown as {
              pixelstream: {
                stream: EventTarget & { requestLatencyTest(): boolean };
              };
            }
          ).pixelstream;
          stream.addEventListener('latencyTestResult', (e) =>
            resolve((e as Event & { data: { latencyTimings: Record<string, number> } }).data.latencyTimings),
          );
          if (!stream.requestLatencyTest()) reject(new Error('latency test refused: video not ready'));
          setTimeout(() => reject(new Error('no latencyTestResult within 5 s')), 5_000);
        }),
    );
    await input('LatencyTest');
    expect(latency.ReceiptTimeMs).toBeGreaterThan(0);
    expect(latency.TransmissionTimeMs).toBeGreaterThanOrEqual(latency.ReceiptTimeMs!);
    expect(latency.networkLatency).toBeGreaterThanOrEqual(0);

    // The 1280x720 viewport shows the 640x360 video edge to edge, so a point's normalised position is its
    // share of the viewport in 1/65536 steps.
    const norm = (px: number, size: number) => Math.min(65535, Math.round((px / size) * 65536));
    const near = (a: unknown, b: number) => typeof a === 'number' && Math.abs(a - b) <= 2;
    await page.mouse.move(320, 180);
    await page.mouse.move(640, 360, { steps: 2 });
    await input('MouseMove', (l) => near(l.x, norm(640, 1280)) && near(l.y, norm(360, 720)));
    await page.mouse.down({ button: 'right' });
    const down = await input('MouseDown');
    expect(down.button).toBe(2);
    expect(near(down.x, norm(640, 1280)) && near(down.y, norm(360, 720))).toBe(true);
    await page.mouse.up({ button: 'right' });
    expect((await input('MouseUp')).button).toBe(2);
    await page.mouse.move(960, 540);
    await page.mouse.down();
    await page.mouse.up();
    const up = await input('MouseUp', (l) => l.button === 0);
    expect(near(up.x, norm(960, 1280)) && near(up.y, norm(540, 720))).toBe(true);
    await page.mouse.wheel(0, 100);
    const wheel = await input('MouseWheel');
    expect(Number(wheel.delta)).toBeLessThan(0); // scrolling down is a negative wheel delta for Unreal

    await page.keyboard.press('KeyA');
    expect((await input('KeyDown', (l) => l.keyCode === 65)).isRepeat).toBe(0);
    await input('KeyPress', (l) => l.charCode === 97);
    await input('KeyUp', (l) => l.keyCode === 65);
    await page.keyboard.press('Enter');
    await input('KeyUp', (l) => l.keyCode === 13);
    // Counted as well as logged: the periodic stats line carries the counts per type.
    const stats = await streamer.waitFor(
      (l) => l.msg === 'stats' && ((l.input as Record<string, number> | undefined)?.KeyUp ?? 0) >= 2,
      5_000,
    );
    expect(stats.input).toMatchObject({ MouseDown: 2, MouseUp: 2, KeyDown: 2, KeyUp: 2 });
    await page.context().close();
  });
});
