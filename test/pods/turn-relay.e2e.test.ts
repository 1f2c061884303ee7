// A relay-only session through the TURN pod: the TURN DaemonSet's pod (host network: its namespace stands
// for a TURN node of its own, whose address the sidecars' TURN_URLS name) finds its external address
// through the API server's Node object and becomes Ready; a player whose browser may use relay candidates
// only (iceTransportPolicy 'relay', as behind a firewall that lets nothing but TURN out) plays the
// streamer pod, with credentials the sidecar minted from the shared secret.
import type { Page } from 'playwright-core';
import { describe, expect, it, vi } from 'vitest';
import { newPage, waitForFirstFrame } from '../support/browser.js';
import { browserPerSuite } from '../support/browser-per-suite.js';
import { TURN_NODE_IP, expectManifestUsersAndReadOnlyRoot, podTestsRunnable } from './cluster.js';
import { clusterPerSuite } from './cluster-per-suite.js';

const { ok, objects } = podTestsRunnable();

/** The local candidate of the page's selected ICE pair (type and address), from WebRTC stats. */
function selectedLocal(page: Page): Promise<{ type?: string; address?: string }> {
  return page.evaluate(async () => {
    const pcs =
      (window as unknown as { __testPeerConnections?: RTCPeerConnection[] }).__testPeerConnections ?? [];
    for (const pc of pcs) {
      const stats = await pc.getStats();
      let pairId: string | undefined;
      stats.forEach((r: Record<string, unknown>) => {
        if (r.type === 'transport' && typeof r.selectedCandidatePairId === 'string')
          pairId = r.selectedCandidatePairId;
      });
      const pair = pairId ? (stats.get(pairId) as Record<string, unknown> | undefined) : undefined;
      const local = pair
        ? (stats.get(String(pair.localCandidateId)) as Record<string, unknown> | undefined)
        : undefined;
      if (local) return { type: String(local.candidateType), address: String(local.address) };
    }
    return {};
  });
}

describe.skipIf(!ok)('relay-only session through the TURN pod', () => {
  const chromium = browserPerSuite();
  const suite = clusterPerSuite(objects, 'streamer', async (cluster) => ({
    turn: await cluster.run('DaemonSet', 'turn', { ip: TURN_NODE_IP }),
    streamer: await cluster.run('Deployment', 'streamer'),
  }));

  it('the TURN pod becomes Ready with its node address, as its manifest user on a read-only root', async () => {
    await suite.pods.turn.waitReady(90_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${suite.pods.turn.describe()}`);
    });
    await vi.waitFor(
      () =>
        expect(
          suite.cluster.api.requests.find((r) => r.url.startsWith('/api/v1/nodes/')),
          suite.pods.turn.describe(),
        ).toMatchObject({
          method: 'GET',
          url: `/api/v1/nodes/${suite.pods.turn.identity.nodeName}`,
          auth: `Bearer ${suite.cluster.api.access.token}`,
        }),
      { timeout: 10_000 },
    );
    expect(suite.cluster.api.unexpected).toEqual([]);
    await expectManifestUsersAndReadOnlyRoot(suite.pods.turn);
  }, 120_000);

  it('plays with relay candidates only', async () => {
    await suite.pods.streamer.waitReady(90_000);
    const player = await newPage(chromium.browser);
    await player.page.context().addInitScript(() => {
      const Recorded = window.RTCPeerConnection;
      window.RTCPeerConnection = class extends Recorded {
        constructor(config?: RTCConfiguration) {
          super({ ...config, iceTransportPolicy: 'relay' });
        }
      };
    });
    await player.page.goto(`http://127.0.0.1:${suite.pagePort}/`);
    await waitForFirstFrame(player.page, 45_000).catch((err: Error) => {
      throw new Error(
        `${err.message}\n--- page\n${player.console.slice(-20).join('\n')}\n--- turn\n${suite.pods.turn.describe()}\n--- streamer\n${suite.pods.streamer.describe()}`,
      );
    });
    expect(await selectedLocal(player.page)).toEqual({ type: 'relay', address: TURN_NODE_IP });
  }, 120_000);
});
