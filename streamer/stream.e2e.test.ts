// Epic's frontend on our player page, in real Chromium, against the real sidecar and streamer processes:
// connects, decodes the first frame and keeps the frame rate — for VP8 and for H.264, through the native
// send path and the JavaScript one — and its stats line says so;
// the page arrives precompressed with caching headers, and Epic's frontend adopts the signalling socket that
// connect.js opened before the bundle loaded (one socket per page load, not two).
import { describe, expect, it } from 'vitest';
import { inboundRtp, measureFps, newPage, waitForFirstFrame } from '../test/support/browser.js';
import { browserPerSuite } from '../test/support/browser-per-suite.js';
import { requirements } from '../test/support/tools.js';
import { startPair } from './testing/stack.js';

const ok = requirements(['chromium', 'ffmpeg'], { netns: true });

describe.skipIf(!ok)("streaming to Epic's frontend", () => {
  const chromium = browserPerSuite();

  it.each([
    ['vp8', 'native'],
    ['h264', 'native'],
    ['vp8', 'js'],
  ])('%s, %s send path: first frame, then ≥ 25 fps for 5 s', async (codec, send) => {
    const pair = await startPair({ STREAM_CODEC: codec, HW_ENCODER: 'auto', FANOUT_SEND: send });
    try {
      const path = await pair.streamer!.waitFor((l) => l.msg === 'fan-out send path');
      expect(path.send).toBe(send);
      const plan = await pair.streamer!.waitFor((l) => l.msg === 'media plan');
      expect(plan.encoder).toBe(codec === 'vp8' ? 'libvpx' : 'libx264'); // no GPU on the test machines
      const { page, console } = await newPage(chromium.browser);
      await page.goto(pair.url);
      await waitForFirstFrame(page).catch((err: Error) => {
        throw new Error(`${err.message}\n${console.slice(-20).join('\n')}`);
      });
      const size = await page.evaluate(() => [
        document.querySelector('video')!.videoWidth,
        document.querySelector('video')!.videoHeight,
      ]);
      expect(size).toEqual([640, 360]);
      // The first second after connecting carries the jitter buffer's start-up; measure the steady state.
      await page.waitForTimeout(1_000);
      const { fps, frames } = await measureFps(page, 5_000);
      expect(frames).toBeGreaterThan(0);
      expect(fps).toBeGreaterThanOrEqual(25);
      // The page's stats line: size and codec, frame rate, a bitrate a 30 fps stream can have (Epic reports
      // kbit/s), and the first-frame time the page recorded (also read by the benchmark).
      const stats = (await page.locator('#stats').textContent()) ?? '';
      const codecName = codec === 'vp8' ? 'VP8' : 'H264';
      expect(stats).toMatch(new RegExp(`^640×360 ${codecName}\\n[23]\\d fps · \\d+ kbit/s\\n`));
      const kbps = Number(/(\d+) kbit\/s/.exec(stats)?.[1]);
      expect(kbps).toBeGreaterThan(100);
      expect(kbps).toBeLessThan(20_000);
      // The first picture came from the group of pictures the player was sent on joining: had the browser
      // dropped it (SRTP arriving before its DTLS handshake completed), it would have asked for a keyframe.
      expect((await inboundRtp(page, 'video')).pliCount).toBe(0);
      // The streamer's set-up timeline saw the first keyframe go to this player, whichever path sent it.
      const timeline = await pair.streamer!.waitFor((l) => l.msg === 'player timeline');
      expect(timeline.firstKeyframeSent).toBeGreaterThan(0);
      const firstFrameMs = await page.evaluate(() => document.body.dataset.firstFrameMs);
      expect(Number(firstFrameMs)).toBeGreaterThan(0);
      expect(stats).toMatch(new RegExp(`\\nfirst frame ${firstFrameMs} ms$`));
      await page.context().close();
    } finally {
      await pair.stop();
    }
  });

  it('the page arrives compressed and cacheable; its early signalling socket carries the session', async () => {
    const pair = await startPair();
    try {
      const { page, console } = await newPage(chromium.browser);
      const scripts: Record<string, string>[] = [];
      page.on('response', (r) => {
        if (r.url().endsWith('.js')) scripts.push(r.headers());
      });
      const since = pair.sidecar.lines.length;
      const doc = (await page.goto(pair.url))!;
      expect(doc.headers()['content-encoding']).toBe('br');
      expect(doc.headers()['cache-control']).toBe('no-cache');
      expect(doc.headers().etag).toMatch(/^"[\w-]+-br"$/);
      await waitForFirstFrame(page).catch((err: Error) => {
        throw new Error(`${err.message}\n${console.slice(-20).join('\n')}`);
      });
      // connect.js and the bundle, both content-hashed and kept for a year.
      expect(scripts).toHaveLength(2);
      for (const h of scripts) {
        expect(h['content-encoding']).toBe('br');
        expect(h['cache-control']).toBe('public, max-age=31536000, immutable');
      }
      const adopted = await page.evaluate(
        () =>
          (window as unknown as { pixelstream: { earlySocket: { adopted: boolean } } }).pixelstream
            .earlySocket.adopted,
      );
      expect(adopted).toBe(true);
      const connections = pair.sidecar.lines.slice(since).filter((l) => l.msg === 'player connected');
      expect(connections).toHaveLength(1);
      await page.context().close();
    } finally {
      await pair.stop();
    }
  });
});
