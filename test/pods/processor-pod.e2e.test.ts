// The processing pool from the rendered manifests (PROCESS_SOURCE = the documented Python example), its
// pod and its own router's pod run in the real images as a kubelet would: Epic's frontend in Chromium, with
// a fake camera of one solid colour, opens the page under the pool's path prefix (/process/, stripped by a
// stand-in for the Gateway's URLRewrite) and gets its camera back inverted by python3 + NumPy inside the
// streamer image, with the example's detection results on the data channel.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  colourDistance,
  launchWithCamera,
  solidColourY4m,
  videoPixel,
  type Rgb,
} from '../../streamer/testing/camera.js';
import { firstResponse, keepResponses } from '../../streamer/testing/responses.js';
import type { RunningPod } from '../pod-runner/pod.js';
import { prefixProxy, type PrefixProxy } from '../pod-runner/prefix-proxy.js';
import { closeAllBrowsers, newPage, waitForFirstFrame } from '../support/browser.js';
import { TestCluster, expectManifestUsersAndReadOnlyRoot, podTestsRunnable } from './cluster.js';

const EXAMPLE = 'process:exec:python3 streamer/processing/examples/invert_detect.py';
const { ok, objects } = podTestsRunnable({ PROCESS_SOURCE: `'${EXAMPLE}'` }, [
  ['Deployment', 'processor'],
  ['Deployment', 'router-processor'],
]);

const CAMERA: Rgb = [200, 40, 40];
const INVERTED: Rgb = [55, 215, 215];
/** Two YUV 4:2:0 conversions and two VP8 encodes move a flat colour by a few levels per channel. */
const TOLERANCE = 24;

describe.skipIf(!ok)('processing pool pods under /process/', () => {
  let cluster: TestCluster;
  let browser: Browser;
  let processor: RunningPod;
  let router: RunningPod;
  let entry: PrefixProxy;

  beforeAll(async () => {
    cluster = await TestCluster.start(objects);
    browser = await launchWithCamera(solidColourY4m(CAMERA));
    processor = await cluster.run('Deployment', 'processor');
    router = await cluster.run('Deployment', 'router-processor');
    entry = await prefixProxy('/process/', router.ip, 8080);
  }, 90_000);

  afterAll(async () => {
    await closeAllBrowsers();
    await entry?.close();
    await cluster?.close();
  });

  it('both pods become Ready; the router watches only the processing pods', async () => {
    await Promise.all([processor.waitReady(90_000), router.waitReady(90_000)]);
    const routerCalls = cluster.api.requests.filter(
      (r) => r.method === 'GET' && !r.url.includes('fieldSelector'),
    );
    expect(routerCalls.length).toBeGreaterThanOrEqual(2);
    for (const r of routerCalls)
      expect(new URL(r.url, 'https://x').searchParams.get('labelSelector')).toBe(
        'app.kubernetes.io/name=pixelstream,app.kubernetes.io/component=processor',
      );
    // The sidecar counts both pools' pods on its node (a set-based selector the fake API understands).
    expect(cluster.api.unexpected).toEqual([]);
    await expectManifestUsersAndReadOnlyRoot(processor);
  }, 120_000);

  it('plays the camera back through the example function, found at /process as at /process/', async () => {
    const { page, console } = await newPage(browser);
    // One visit, to the bare prefix: redirected to its folder, so the page's relative URLs stay in the pool.
    await page.goto(`http://127.0.0.1:${entry.port}/process?UseCamera=true`);
    expect(new URL(page.url()).pathname).toBe('/process/');
    await keepResponses(page);
    await waitForFirstFrame(page, 30_000).catch((err: Error) => {
      throw new Error(
        `${err.message}\n--- page\n${console.slice(-20).join('\n')}\n--- router\n${router.describe()}\n--- processor\n${processor.describe()}`,
      );
    });
    await expect
      .poll(async () => colourDistance(await videoPixel(page), INVERTED), { timeout: 15_000 })
      .toBeLessThanOrEqual(TOLERANCE);
    const started = await processor.waitForLog('streamer', (l) => l.msg === 'processing started');
    expect(started.function).toBe('exec');
    const first = await firstResponse(page, 15_000);
    expect(first).toMatchObject({ type: 'processing.result', data: { type: 'detection', label: 'bright' } });
    expect(colourDistance(first.data.mean as Rgb, CAMERA)).toBeLessThan(60);
    await router.waitForLog('router', (l) => l.msg === 'player assigned a pod');
    await page.context().close();
  }, 120_000);
});
