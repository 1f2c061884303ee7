// Epic's frontend in Chromium plays the streamer pod through the router pod, both run from the rendered
// manifests: the router discovers the streamer pod through the API server (list and watch by label, with
// its mounted service-account token), reserves it and pipes the signalling; the media flows straight
// between the browser and the streamer pod, and the sidecar marks its pod allocated.
import { describe, expect, it, vi } from 'vitest';
import { ALLOCATED_LABEL, SAFE_TO_EVICT_ANNOTATION } from '../../common/pod-marks.js';
import type { RunningPod } from '../pod-runner/pod.js';
import { newPage, waitForFirstFrame } from '../support/browser.js';
import { browserPerSuite } from '../support/browser-per-suite.js';
import { expectManifestUsersAndReadOnlyRoot, podTestsRunnable } from './cluster.js';
import { clusterPerSuite } from './cluster-per-suite.js';

const { ok, objects } = podTestsRunnable();

function timeline(pod: RunningPod): string {
  return pod.timeline.map((e) => `  ${e.ms} ms ${e.container ?? 'pod'} ${e.event}`).join('\n');
}

describe.skipIf(!ok)("Epic's frontend through the router pod", () => {
  const chromium = browserPerSuite();
  const suite = clusterPerSuite(objects, 'router', async (cluster) => ({
    streamer: await cluster.run('Deployment', 'streamer'),
    router: await cluster.run('Deployment', 'router'),
  }));

  it('both pods become Ready; the router lists and watches streamer pods with its token, as its user', async () => {
    await Promise.all([suite.pods.streamer.waitReady(90_000), suite.pods.router.waitReady(90_000)]);
    // The sidecar's own list (its node's streamer pods, by field selector) is not the router's.
    const calls = suite.cluster.api.requests.filter(
      (r) => r.method === 'GET' && !r.url.includes('fieldSelector'),
    );
    const selector = 'app.kubernetes.io/name=pixelstream,app.kubernetes.io/component=streamer';
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const r of calls) {
      const u = new URL(r.url, 'https://x');
      expect(u.pathname).toBe(`/api/v1/namespaces/${suite.pods.streamer.identity.namespace}/pods`);
      expect(u.searchParams.get('labelSelector')).toBe(selector);
      expect(r.auth).toBe(`Bearer ${suite.cluster.api.access.token}`);
    }
    expect(suite.cluster.api.unexpected).toEqual([]);
    await expectManifestUsersAndReadOnlyRoot(suite.pods.router);
  }, 120_000);

  it('plays the stream in Chromium and marks the streamer pod allocated while it plays', async () => {
    const player = await newPage(chromium.browser);
    await player.page.goto(`http://127.0.0.1:${suite.pagePort}/`);
    await waitForFirstFrame(player.page, 30_000).catch((err: Error) => {
      throw new Error(
        `${err.message}\n--- page\n${player.console.slice(-20).join('\n')}\n--- router\n${suite.pods.router.describe()}\n--- streamer\n${suite.pods.streamer.describe()}`,
      );
    });
    await suite.pods.router.waitForLog('router', (l) => l.msg === 'player assigned a pod');
    await vi.waitFor(
      () =>
        expect(suite.cluster.api.patches.get(suite.pods.streamer.name)?.at(-1)).toMatchObject({
          metadata: {
            labels: { [ALLOCATED_LABEL]: 'true' },
            annotations: { [SAFE_TO_EVICT_ANNOTATION]: 'false' },
          },
        }),
      { timeout: 15_000 },
    );
    await player.page.context().close();
    await suite.pods.streamer.waitForLog('signalserver', (l) => l.msg === 'session ended');
    console.log(`pods: streamer\n${timeline(suite.pods.streamer)}\nrouter\n${timeline(suite.pods.router)}`);
  }, 120_000);
});
