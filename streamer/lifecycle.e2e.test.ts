// Two sidecar+streamer pairs with a real browser each: streams are independent, a leaving player frees its
// stream, a killed streamer flips the metrics and closes its player (and takes its encoder with it), and a
// restarted streamer is available again.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SIDECAR } from '../common/index.js';
import { framesDecoded, newPage, waitForFirstFrame } from '../test/support/browser.js';
import { browserPerSuite } from '../test/support/browser-per-suite.js';
import { childPids, isAlive } from '../test/support/processes.js';
import { requirements } from '../test/support/tools.js';
import { metric, startPair, type Pair } from './testing/stack.js';
import type { Page } from 'playwright-core';

/** First frame, or a failure that carries the page's console and the streamer's last log lines. */
async function firstFrame(p: { page: Page; console: string[] }, pair: Pair): Promise<void> {
  try {
    await waitForFirstFrame(p.page);
  } catch (err) {
    const logs = pair.streamer?.lines.slice(-15).map((l) => JSON.stringify(l)) ?? [];
    throw new Error(
      `${(err as Error).message}\n--- page console\n${p.console.slice(-15).join('\n')}\n--- streamer\n${logs.join('\n')}`,
      { cause: err },
    );
  }
}

const ok = requirements(['chromium', 'ffmpeg'], { netns: true });

async function until(what: string, check: () => Promise<boolean>, timeout = 15_000): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!(await check())) throw new Error(`timed out waiting for: ${what}`);
    },
    { timeout, interval: 200 },
  );
}

describe.skipIf(!ok)('two streams, players leaving, streamers dying', () => {
  const chromium = browserPerSuite();
  const pairs: Pair[] = [];
  beforeAll(async () => {
    pairs.push(await startPair({ STREAMER_ID: 'alpha' }), await startPair({ STREAMER_ID: 'beta' }));
  });
  afterAll(async () => {
    await Promise.all(pairs.map((p) => p.stop()));
  });

  it('streams to two players at once and frees, loses and regains streams', async () => {
    const [a, b] = pairs as [Pair, Pair];
    const pa = await newPage(chromium.browser);
    const pb = await newPage(chromium.browser);
    await Promise.all([pa.page.goto(a.url), pb.page.goto(b.url)]);
    await Promise.all([firstFrame(pa, a), firstFrame(pb, b)]);
    for (const p of pairs)
      await until('allocated on both', async () => (await metric(p, SIDECAR.allocated)) === 1);
    expect(await metric(a, SIDECAR.available)).toBe(0);

    // A's player leaves: A is free again, B keeps streaming.
    await pa.page.context().close();
    await until(
      'A available again',
      async () => (await metric(a, SIDECAR.available)) === 1 && (await metric(a, SIDECAR.allocated)) === 0,
    );
    await a.streamer!.waitFor((l) => l.msg === 'player left');
    const before = await framesDecoded(pb.page);
    await vi.waitFor(async () => expect(await framesDecoded(pb.page)).toBeGreaterThan(before), {
      timeout: 10_000,
      interval: 100,
    });

    // B's streamer is killed hard: metrics flip, the player is closed, the encoder does not survive it.
    const encoder = Number((await b.streamer!.waitFor((l) => l.msg === 'encoder started')).pid);
    expect(isAlive(encoder)).toBe(true);
    // The watchdog shell's children: ffmpeg itself and the pipe reader.
    const ffmpeg = childPids(encoder);
    expect(ffmpeg.length).toBeGreaterThan(0);
    b.streamer!.child.kill('SIGKILL');
    await until('B streamer gone in metrics', async () => (await metric(b, SIDECAR.streamerConnected)) === 0);
    expect(await metric(b, SIDECAR.available)).toBe(0);
    await pb.page.waitForFunction(
      () => document.getElementById('overlay')?.textContent?.includes('Disconnected'),
      undefined,
      { timeout: 15_000 },
    );
    await until(
      'encoder of the killed streamer gone',
      () => Promise.resolve(![encoder, ...ffmpeg].some(isAlive)),
      10_000,
    );
    // Epic's frontend retries a lost connection on its own; left open, this page could take the restarted
    // stream before the new player below does (one player per stream).
    await pb.page.context().close();

    // Restarted, it registers again and serves a new player.
    await b.startStreamer({ STREAMER_ID: 'beta' });
    await until(
      'B available again',
      async () =>
        (await metric(b, SIDECAR.available)) === 1 && (await metric(b, SIDECAR.streamerConnected)) === 1,
    );
    const pc = await newPage(chromium.browser);
    await pc.page.goto(b.url);
    await firstFrame(pc, b);
    await until('B allocated to the new player', async () => (await metric(b, SIDECAR.allocated)) === 1);
  });
});
