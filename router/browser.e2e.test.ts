// Epic's frontend on our player page in real Chromium, served by the router and piped through it to a real
// sidecar and reference streamer: video decodes; a reload resumes the same pod through the HttpOnly cookie
// the router set on the WebSocket handshake; a second browser waits, sees its place, and gets the pod when
// the first one leaves — and, placed after its handshake, resumes on reload through the in-band ticket the
// page traded for the same cookie. All of it over plain HTTP on an address that is not loopback, as behind an
// entry without TLS: Chromium trusts only loopback, so nothing here leans on a secure context.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EGRESS } from '../scripts/netns.mjs';
import { pairPerSuite } from '../streamer/testing/pair-per-suite.js';
import { newPage, waitForFirstFrame } from '../test/support/browser.js';
import { browserPerSuite } from '../test/support/browser-per-suite.js';
import { requirements } from '../test/support/tools.js';
import { TOKEN, sample, scrape, startRouterProc, type RouterProc } from './testing/stack.js';

const ok = requirements(['chromium', 'ffmpeg'], { netns: true });

describe.skipIf(!ok)("Epic's frontend through the router", () => {
  const chromium = browserPerSuite();
  const stack = pairPerSuite({}, { ROUTER_TOKEN: TOKEN });
  let router: RouterProc;

  beforeAll(async () => {
    router = await startRouterProc([`http://127.0.0.1:${stack.pair.playerPort}`], {
      // The page's own directory (built by `pretest`), served by the router on the player's origin.
      PLAYER_PAGE_DIR: '',
      RESUME_GRACE_SECONDS: '3',
      ROUTER_HOST: '0.0.0.0',
    });
  });

  afterAll(async () => {
    await router?.proc.stop();
  });

  it('decodes video, resumes the same pod on reload, and hands the pod to the next browser in line', async () => {
    const pageUrl = `http://${EGRESS.address}:${router.port}/`;
    const first = await newPage(chromium.browser);
    await first.page.goto(pageUrl);
    await waitForFirstFrame(first.page).catch((err: Error) => {
      throw new Error(`${err.message}\n${first.console.slice(-20).join('\n')}`);
    });
    await router.proc.waitFor((l) => l.msg === 'player assigned a pod');
    const cookies = await first.page.context().cookies();
    const session = cookies.find((c) => c.name === 'pxs_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Lax');

    // A reload drops the signalling socket (1001); the cookie brings the page back to the same pod.
    await first.page.reload();
    await waitForFirstFrame(first.page);
    await router.proc.waitFor((l) => l.msg === 'player resumed on its pod');
    expect(
      sample(await scrape(router.metricsPort), 'pixelstream_router_allocations_total{result="resumed"}'),
    ).toBe(1);

    // A second browser finds the only pod taken: it waits and is shown its place.
    const second = await newPage(chromium.browser);
    await second.page.goto(pageUrl);
    await second.page.waitForFunction(
      () => document.getElementById('overlay')?.textContent?.includes('number 1 of 1'),
      undefined,
      { timeout: 15_000 },
    );
    expect(sample(await scrape(router.metricsPort), 'pixelstream_router_queue_length')).toBe(1);

    // The first leaves (tab closed): after the resume grace the pod is free and the second one streams.
    await first.page.context().close();
    await waitForFirstFrame(second.page, 30_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${second.console.slice(-20).join('\n')}`);
    });
    expect(
      sample(await scrape(router.metricsPort), 'pixelstream_router_allocations_total{result="assigned"}'),
    ).toBe(2);

    // It was placed after its handshake, so its resume cookie came as an in-band ticket the page traded at
    // /session: a reload now resumes it on the same pod too.
    const hasCookie = async () =>
      (await second.page.context().cookies()).find((c) => c.name === 'pxs_session');
    await vi.waitFor(async () => expect((await hasCookie())?.httpOnly).toBe(true), {
      timeout: 5_000,
      interval: 100,
    });
    await second.page.reload();
    await waitForFirstFrame(second.page);
    expect(
      sample(await scrape(router.metricsPort), 'pixelstream_router_allocations_total{result="resumed"}'),
    ).toBe(2);
    await second.page.context().close();
  });
});
