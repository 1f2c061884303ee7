// A rollout as Kubernetes does it to the streamer pod from the rendered manifests: the pod is deleted
// during a live session in Chromium. Discovery sees it terminating at once and the sidecar turns unready,
// while the preStop hook keeps the GPU app streaming until the player leaves; then the pod exits within
// its grace period, nothing killed. An idle pod goes the same way without waiting. A player who never
// leaves is cut when the drain timeout passes (rendered with a short DRAIN_TIMEOUT_SECONDS, the one
// operator setting changed here), still within the grace period derived from it.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StopReport } from '../pod-runner/pod.js';
import { portForward } from '../pod-runner/port-forward.js';
import {
  closeAllBrowsers,
  framesDecoded,
  launchBrowser,
  newPage,
  waitForFirstFrame,
} from '../support/browser.js';
import { OPERATOR_SETTINGS, TestCluster, podTestsRunnable } from './cluster.js';
import { renderManifests } from '../pod-runner/render.js';

const { ok, objects } = podTestsRunnable();
/** The one case that changes an operator setting: a drain timeout short enough to pass within the test. */
const DRAIN_TIMEOUT_SECONDS = 12;

/** The sidecar's readiness as the kubelet's probe sees it (status code of GET /readyz). */
async function readyz(ip: string): Promise<number> {
  return (await fetch(`http://${ip}:8080/readyz`)).status;
}

function printReport(what: string, r: StopReport): void {
  const lines = Object.entries(r.containers).map(
    ([name, c]) =>
      `  ${name}: preStop ${c.preStopMs === undefined ? '-' : `${c.preStopMs} ms (${c.preStopResult})`}, signal→exit ${c.termToExitMs} ms, exit ${c.exitCode}${c.killed ? ', KILLED' : ''}`,
  );
  console.log(`${what}: deleted → gone in ${r.elapsedMs} ms (grace ${r.graceMs} ms)\n${lines.join('\n')}`);
}

describe.skipIf(!ok)('streamer pod rollout', () => {
  let cluster: TestCluster;
  let browser: Browser;

  beforeAll(async () => {
    cluster = await TestCluster.start(objects);
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await closeAllBrowsers();
    await cluster?.close();
  });

  it('keeps a live session playing through deletion, then exits within the grace period', async () => {
    const pod = await cluster.run('Deployment', 'streamer');
    await pod.waitReady(90_000);
    const player = await newPage(browser);
    // The player page through a port-forward: a loopback origin, as trustworthy as the ingress's HTTPS.
    const forward = await portForward(pod.ip, 8080);
    await player.page.goto(`http://127.0.0.1:${forward.port}/`);
    await waitForFirstFrame(player.page, 30_000).catch((err: Error) => {
      throw new Error(
        `${err.message}\n--- page\n${player.console.slice(-20).join('\n')}\n--- pod\n${pod.describe()}`,
      );
    });

    const deleted = cluster.delete(pod);
    // Terminating at once: discovery drops the pod, the sidecar drains and fails its readiness.
    expect(cluster.api.object(pod).metadata).toHaveProperty('deletionTimestamp');
    await vi.waitFor(async () => expect(await readyz(pod.ip)).toBe(503), { timeout: 10_000, interval: 100 });
    await vi.waitFor(() => expect(pod.ready).toBe(false), { timeout: 15_000 });

    // The session plays on: frames keep coming while the app's preStop holds its SIGTERM back.
    const before = await framesDecoded(player.page);
    await vi.waitFor(async () => expect(await framesDecoded(player.page)).toBeGreaterThan(before + 60), {
      timeout: 15_000,
    });
    expect(pod.timeline.filter((e) => e.container === 'streamer').map((e) => e.event)).not.toContain(
      'SIGTERM sent',
    );

    // The player leaves: the drain ends, the app is stopped and the pod is gone.
    await player.page.context().close();
    await forward.close();
    const report = await deleted;
    printReport('live pod', report);
    // No container was killed: each ended before the runner's SIGKILL at the end of the grace period.
    for (const [name, c] of Object.entries(report.containers)) {
      expect(c.killed, name).toBe(false);
      expect(c.exitCode, name).toBe(0);
    }
    expect(report.containers.streamer?.preStopResult).toBe('ok');
    const events = pod.timeline.map((e) => `${e.container ?? 'pod'} ${e.event}`);
    expect(events.indexOf('streamer preStop ended')).toBeLessThan(events.indexOf('streamer SIGTERM sent'));
  }, 180_000);

  it('stops an idle pod without waiting', async () => {
    const pod = await cluster.run('Deployment', 'streamer');
    await pod.waitReady(90_000);
    const report = await cluster.delete(pod);
    printReport('idle pod', report);
    for (const [name, c] of Object.entries(report.containers)) {
      expect(c.killed, name).toBe(false);
      expect(c.exitCode, name).toBe(0);
    }
    expect(report.containers.streamer?.preStopResult).toBe('ok');
    await pod.waitForLog('signalserver', (l) => /drain/i.test(String(l.msg)));
  }, 120_000);

  it('cuts a session that outlives the drain timeout, then exits within the grace period', async () => {
    const short = await TestCluster.start(
      renderManifests({ ...OPERATOR_SETTINGS, DRAIN_TIMEOUT_SECONDS: String(DRAIN_TIMEOUT_SECONDS) }),
    );
    try {
      const pod = await short.run('Deployment', 'streamer');
      await pod.waitReady(90_000);
      const player = await newPage(browser);
      await player.page.goto(`http://127.0.0.1:${await short.forward(pod, 8080)}/`);
      await waitForFirstFrame(player.page, 30_000);
      const report = await short.delete(pod);
      printReport('pod past its drain timeout', report);
      // The player never left: the drain waited its full timeout, then the app was stopped in good order.
      expect(report.containers.streamer?.preStopMs).toBeGreaterThanOrEqual(
        DRAIN_TIMEOUT_SECONDS * 1000 - 1000,
      );
      for (const [name, c] of Object.entries(report.containers)) {
        expect(c.killed, name).toBe(false);
        expect(c.exitCode, name).toBe(0);
      }
    } finally {
      await short.close();
    }
  }, 180_000);
});
