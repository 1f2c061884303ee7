// Headless Chromium for end-to-end tests and benchmarks, with the flags WebRTC needs on this kind of
// machine (see the testing notes): loopback peer connections allowed, no mDNS-hidden candidates, autoplay
// without a gesture. Every browser is a fresh profile and is closed by the caller (or by `closeAll`).
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
  // Without both of these ICE never completes inside a test namespace.
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

const open = new Set<Browser>();

/** Launches Chromium (playwright gives each launch its own temporary profile). */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    headless: true,
  });
  open.add(browser);
  browser.once('disconnected', () => open.delete(browser));
  return browser;
}

/** Closes every browser this process launched (afterAll safety net). */
export async function closeAllBrowsers(): Promise<void> {
  await Promise.all([...open].map((b) => b.close().catch(() => undefined)));
}

/** A page with console lines recorded (handy when a test fails). */
export async function newPage(browser: Browser): Promise<{ page: Page; console: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.addInitScript(recordPeerConnections);
  const page = await context.newPage();
  const console: string[] = [];
  page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => console.push(`pageerror: ${e.message}`));
  return { page, console };
}

/** Frames decoded by the page's first <video> so far (0 when there is none yet). */
export function framesDecoded(page: Page): Promise<number> {
  return page.evaluate(() => {
    const v = document.querySelector('video');
    return v ? v.getVideoPlaybackQuality().totalVideoFrames : 0;
  });
}

/**
 * Runs in the page before its own scripts: keeps every RTCPeerConnection the page makes on a window
 * property, so a failing test can say what WebRTC saw (see `peerStats`).
 */
function recordPeerConnections(): void {
  const Native = window.RTCPeerConnection;
  const seen: RTCPeerConnection[] = [];
  Object.defineProperty(window, '__testPeerConnections', { value: seen });
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      seen.push(this);
    }
  };
}

/** The inbound RTP counters of one kind summed over the page's peer connections (empty when there are none). */
export async function inboundRtp(page: Page, kind: 'audio' | 'video'): Promise<Record<string, number>> {
  return page.evaluate(async (k) => {
    const pcs =
      (window as unknown as { __testPeerConnections?: RTCPeerConnection[] }).__testPeerConnections ?? [];
    const sum: Record<string, number> = {};
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((r: Record<string, unknown>) => {
        if (r.type !== 'inbound-rtp' || r.kind !== k) return;
        for (const [key, value] of Object.entries(r))
          if (typeof value === 'number') sum[key] = (sum[key] ?? 0) + value;
      });
    }
    return sum;
  }, kind);
}

/** What the page's peer connections report: states and the inbound video counters, one line each. */
export async function peerStats(page: Page): Promise<string[]> {
  const keys = [
    'packetsReceived',
    'packetsLost',
    'framesReceived',
    'framesDecoded',
    'keyFramesDecoded',
    'framesDropped',
    'pliCount',
    'nackCount',
    'firCount',
    'frameWidth',
  ];
  try {
    const states = await page.evaluate(() => {
      const pcs =
        (window as unknown as { __testPeerConnections?: RTCPeerConnection[] }).__testPeerConnections ?? [];
      const lines = pcs.map(
        (pc, i) =>
          `pc${String(i)}: signaling=${pc.signalingState} ice=${pc.iceConnectionState} connection=${pc.connectionState}`,
      );
      const v = document.querySelector('video');
      lines.push(
        v
          ? `video: readyState=${String(v.readyState)} paused=${String(v.paused)} size=${String(v.videoWidth)}x${String(v.videoHeight)} srcObject=${String(v.srcObject !== null)}`
          : 'no <video>',
      );
      return lines;
    });
    const video = await inboundRtp(page, 'video');
    return [
      ...states,
      `inbound video (open connections): ${keys.map((k) => `${k}=${String(video[k])}`).join(' ')}`,
    ];
  } catch (err) {
    return [`(no stats: ${err instanceof Error ? err.message : String(err)})`];
  }
}

/** Waits until the page's <video> has decoded a frame; resolves with the page-relative time of that frame (ms). */
export async function waitForFirstFrame(page: Page, timeoutMs = 20_000): Promise<number> {
  try {
    await page.waitForFunction(
      () => {
        const v = document.querySelector('video');
        return v !== null && v.getVideoPlaybackQuality().totalVideoFrames > 0 && v.videoWidth > 0;
      },
      undefined,
      { timeout: timeoutMs, polling: 50 },
    );
  } catch (err) {
    const stats = await peerStats(page);
    throw new Error(`no video frame within ${String(timeoutMs)} ms\n--- WebRTC\n${stats.join('\n')}`, {
      cause: err,
    });
  }
  // The player page records the first requestVideoFrameCallback time; other pages fall back to "now".
  return page.evaluate(() => Number(document.body.dataset.firstFrameMs ?? performance.now()));
}

/** Decoded frames per second over `ms`, measured on the page's <video>. */
export async function measureFps(
  page: Page,
  ms: number,
): Promise<{ fps: number; frames: number; dropped: number }> {
  return page.evaluate(async (duration) => {
    const v = document.querySelector('video');
    if (!v) return { fps: 0, frames: 0, dropped: 0 };
    const a = v.getVideoPlaybackQuality();
    await new Promise((r) => setTimeout(r, duration));
    const b = v.getVideoPlaybackQuality();
    const frames = b.totalVideoFrames - a.totalVideoFrames;
    return { fps: (frames * 1000) / duration, frames, dropped: b.droppedVideoFrames - a.droppedVideoFrames };
  }, ms);
}
