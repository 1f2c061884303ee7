// Epic's frontend in Chromium plays the streamer pod through the router pod, both run from the rendered
// manifests: the router discovers the streamer pod through the API server (list and watch by label, with
// its mounted service-account token), reserves it and pipes the signalling; the media flows straight
// between the browser and the streamer pod, and the sidecar marks its pod allocated.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ALLOCATED_LABEL, SAFE_TO_EVICT_ANNOTATION } from '../../common/pod-marks.js';
import type { RunningPod } from '../pod-runner/pod.js';
import { closeAllBrowsers, launchBrowser, newPage, waitForFirstFrame } from '../support/browser.js';
import { TestCluster, expectManifestUsersAndReadOnlyRoot, podTestsRunnable } from './cluster.js';

const { ok, objects } = podTestsRunnable();

function timeline(pod: RunningPod): string {
  return pod.timeline.map((e) => `  ${e.ms} ms ${e.container ?? 'pod'} ${e.event}`).join('\n');
}

describe.skipIf(!ok)("Epic's frontend through the router pod", () => {
  let cluster: TestCluster;
  let browser: Browser;
  let streamer: RunningPod;
  let router: RunningPod;
  let pagePort = 0;

  beforeAll(async () => {
    cluster = await TestCluster.start(objects);
    browser = await launchBrowser();
    streamer = await cluster.run('Deployment', 'streamer');
    router = await cluster.run('Deployment', 'router');
    // The entry's part: a trustworthy origin for the page.
    pagePort = await cluster.forward(router, 8080);
  }, 90_000);

  afterAll(async () => {
    await closeAllBrowsers();
    await cluster?.close();
  });

  it('both pods become Ready; the router lists and watches streamer pods with its token, as its user', async () => {
    await Promise.all([streamer.waitReady(90_000), router.waitReady(90_000)]);
    // The sidecar's own list (its node's streamer pods, by field selector) is not the router's.
    const calls = cluster.api.requests.filter((r) => r.method === 'GET' && !r.url.includes('fieldSelector'));
    const selector = 'app.kubernetes.io/name=pixelstream,app.kubernetes.io/component=streamer';
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const r of calls) {
      const u = new URL(r.url, 'https://x');
      expect(u.pathname).toBe(`/api/v1/namespaces/${streamer.identity.namespace}/pods`);
      expect(u.searchParams.get('labelSelector')).toBe(selector);
      expect(r.auth).toBe(`Bearer ${cluster.api.access.token}`);
    }
    expect(cluster.api.unexpected).toEqual([]);
    await expectManifestUsersAndReadOnlyRoot(router);
  }, 120_000);

  it('plays the stream in Chromium and marks the streamer pod allocated while it plays', async () => {
    const player = await newPage(browser);
    await player.page.goto(`http://127.0.0.1:${pagePort}/`);
    await waitForFirstFrame(player.page, 30_000).catch((err: Error) => {
      throw new Error(
        `${err.message}\n--- page\n${player.console.slice(-20).join('\n')}\n--- router\n${router.describe()}\n--- streamer\n${streamer.describe()}`,
      );
    });
    await router.waitForLog('router', (l) => l.msg === 'player assigned a pod');
    await vi.waitFor(
      () =>
        expect(cluster.api.patches.get(streamer.name)?.at(-1)).toMatchObject({
          metadata: {
            labels: { [ALLOCATED_LABEL]: 'true' },
            annotations: { [SAFE_TO_EVICT_ANNOTATION]: 'false' },
          },
        }),
      { timeout: 15_000 },
    );
    await player.page.context().close();
    await streamer.waitForLog('signalserver', (l) => l.msg === 'session ended');
    console.log(`pods: streamer\n${timeline(streamer)}\nrouter\n${timeline(router)}`);
  }, 120_000);
});
