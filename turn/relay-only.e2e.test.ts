// Relay-only end to end: Epic's frontend on our player page in real Chromium and the reference streamer,
// both forced to iceTransportPolicy 'relay' by the sidecar's `config` (TURN_SECRET, TURN_URLS,
// ICE_TRANSPORT_POLICY=relay), with credentials minted per peer by the sidecar — through our entrypoint's
// production-rendered coturn. Video must decode and input must arrive; with a secret that does not match
// coturn's, the failure must be visible (coded warnings naming the refused credentials) within seconds.
// Checked: the selected pair is relay/relay, coturn allocated for both peers, mouse and key input arrive.
import type { Page } from 'playwright-core';
import { describe, expect, it, vi } from 'vitest';
import { framesDecoded, newPage, waitForFirstFrame } from '../test/support/browser.js';
import { browserPerSuite } from '../test/support/browser-per-suite.js';
import type { LogLine } from '../test/support/processes.js';
import { requirements } from '../test/support/tools.js';
import { SIDECAR } from '../common/index.js';
import { inputChannelOpen, metric, startPair, type Pair } from '../streamer/testing/stack.js';
import { CLUSTER_NETWORKS, turnNodePerSuite } from './testing/turn-node.js';

const SECRET = 'relay-only-secret-0123456789';
// The namespace's non-loopback address (scripts/test.mjs): Chromium gathers no candidates on loopback, and
// it is outside every range the production config refuses, so nothing is added to the config for testing.
const NODE_IP = '192.0.2.1';
const ok = requirements(['chromium', 'ffmpeg', 'turnserver'], { netns: true });

/** The candidate types of the page's selected ICE pair, from Epic's own stats event. */
function selectedPair(page: Page): Promise<{ local?: string; remote?: string; localAddress?: string }> {
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        type Cand = { id: string; candidateType: string; address: string };
        type Stats = {
          getActiveCandidatePair(): { localCandidateId: string; remoteCandidateId: string } | null;
          localCandidates: Cand[];
          remoteCandidates: Cand[];
        };
        const stream = (
          window as unknown as {
            pixelstream: {
              stream: {
                addEventListener(t: string, f: (e: { data: { aggregatedStats: Stats } }) => void): void;
              };
            };
          }
        ).pixelstream.stream;
        stream.addEventListener('statsReceived', (e) => {
          const s = e.data.aggregatedStats;
          const pair = s.getActiveCandidatePair();
          if (!pair) return;
          const local = s.localCandidates.find((c) => c.id === pair.localCandidateId);
          const remote = s.remoteCandidates.find((c) => c.id === pair.remoteCandidateId);
          if (local && remote)
            resolve({
              local: local.candidateType,
              remote: remote.candidateType,
              localAddress: local.address,
            });
        });
      }),
  );
}

describe.skipIf(!ok)('relay-only end to end through coturn', () => {
  const node = turnNodePerSuite(SECRET, NODE_IP, {
    relayPorts: [49700, 49760],
    env: { ...CLUSTER_NETWORKS, LOG_LEVEL: 'debug' },
  });
  const chromium = browserPerSuite();

  const sidecarEnv = (secret: string) => ({
    TURN_SECRET: secret,
    TURN_URLS: `turn:${NODE_IP}:${node.port}?transport=udp`,
    TURN_TTL_SECONDS: '600',
    ICE_TRANSPORT_POLICY: 'relay',
  });

  it('decodes video and delivers input with only relay candidates on both sides', async () => {
    const pair: Pair = await startPair({ STREAM_CODEC: 'vp8', HW_ENCODER: 'cpu' }, sidecarEnv(SECRET));
    try {
      const { page, console } = await newPage(chromium.browser);
      const since = pair.streamer!.lines.length;
      await page.goto(`${pair.url}?ForceTURN=true`);
      // Generous: the machine is shared, and relay-only ICE adds two allocations before the first packet.
      await waitForFirstFrame(page, 60_000).catch((err: Error) => {
        const streamerLines =
          pair.streamer?.lines.filter(
            (l) => l.msg === 'peer state' || l.level === 'warn' || l.level === 'error',
          ) ?? [];
        const turnLines = node.proc.lines.filter((l) => l.level === 'warn' || l.level === 'error').slice(-10);
        throw new Error(
          [
            err.message,
            'page console:',
            ...console.slice(-20),
            'streamer:',
            ...streamerLines.map((l) => JSON.stringify(l)),
            'turn:',
            ...turnLines.map((l) => JSON.stringify(l)),
          ].join('\n'),
        );
      });
      const before = await framesDecoded(page);
      await vi.waitFor(async () => expect(await framesDecoded(page)).toBeGreaterThan(before), 10_000);

      // Both ends of the selected pair are relay candidates on this coturn.
      expect(await selectedPair(page)).toEqual({ local: 'relay', remote: 'relay', localAddress: NODE_IP });

      // coturn allocated for the player and for the streamer, with the sidecar's per-peer credentials.
      const allocations = node.proc.lines.filter(
        (l) => l.request === 'ALLOCATE' && typeof l.user === 'string',
      );
      expect(new Set(allocations.map((l) => l.user)).size).toBeGreaterThanOrEqual(2);

      // Input over the data channel, through the same relays.
      await inputChannelOpen(pair.streamer!, since);
      const video = page.locator('video');
      await video.click({ position: { x: 100, y: 80 } });
      await page.keyboard.press('KeyA');
      await pair.streamer!.waitFor((l) => l.msg === 'input' && l.inputType === 'MouseDown', 10_000);
      await pair.streamer!.waitFor((l) => l.msg === 'input' && l.inputType === 'KeyDown', 10_000);
      await page.context().close();
      // The streamer sent the video through the relay on its native path (ChannelData to coturn), all but
      // the packets before werift had bound the TURN channel.
      const left = await pair.streamer!.waitFor((l) => l.msg === 'player left', 15_000);
      const sent = left.videoPackets as { lean: number; native: number; fallback: number };
      expect(sent.native).toBeGreaterThan(sent.lean * 0.8);
    } finally {
      await pair.stop();
    }
  });

  it('with a secret coturn does not share: no media, coded warnings name both refused peers, and the streamer says why and frees the stream', async () => {
    const pair: Pair = await startPair(
      { STREAM_CODEC: 'vp8', HW_ENCODER: 'cpu', PEER_CONNECT_TIMEOUT_SECONDS: '15' },
      sidecarEnv('some-other-secret-0123456789'),
    );
    try {
      const { page } = await newPage(chromium.browser);
      const t0 = Date.now();
      await page.goto(`${pair.url}?ForceTURN=true`);
      const after = (l: LogLine) => typeof l.time === 'string' && Date.parse(l.time) >= t0;
      const first = await node.proc.waitFor((l) => l.code === 'TURN_AUTH_REJECTED' && after(l), 15_000);
      expect(first).toMatchObject({
        level: 'warn',
        reason: expect.stringMatching(/does not match TURN_SECRET/) as string,
      });
      // The streamer's werift peer allocates too once the player subscribed; both are refused.
      await node.proc.waitFor(
        (l) => l.code === 'TURN_AUTH_REJECTED' && after(l) && l.user !== first.user,
        15_000,
      );
      expect(await framesDecoded(page)).toBe(0);
      expect(pair.streamer!.lines.some((l) => l.msg === 'peer state' && l.state === 'connected')).toBe(false);
      // The streamer says why too when the connection is not up in time (it got no relay candidate), and the
      // player is told and let go, which frees the stream.
      const failed = await pair.streamer!.waitFor((l) => l.code === 'PEER_FAILED', 30_000);
      expect(failed).toMatchObject({ level: 'warn', turnConfigured: true, what: 'not connected in time' });
      expect(failed.local).not.toHaveProperty('relay');
      expect(failed.hint).toMatch(/TURN_SECRET/);
      await page.waitForFunction(() => /connection failed/.test(document.body.innerText), undefined, {
        timeout: 10_000,
      });
      await vi.waitFor(async () => expect(await metric(pair, SIDECAR.available)).toBe(1), {
        timeout: 5000,
        interval: 100,
      });
      await page.context().close();
    } finally {
      await pair.stop();
    }
  });
});
