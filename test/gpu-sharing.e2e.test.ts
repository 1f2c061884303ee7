// N streams sharing one host, as N streamer pods share one GPU under GPU_SHARING=time-slicing:N: N
// signalling sidecars, each with a real reference streamer process (ffmpeg encoder) and a real Chromium
// player on Epic's frontend, all at once on this machine. Each player must keep its frame rate while the
// others stream; the allocation metrics must count N streams (one per sidecar), not one GPU; and the pod
// patchers, all reporting the same node, must reach the node-fill deletion cost of N sessions on one node —
// then, when one player leaves, mark exactly that pod as the one scale-down takes first.
//
// The only fake is the Kubernetes API server (a thin one that keeps the labels and annotations the sidecars
// patch and answers the node's pod list from them, checking every request's path, verb, selectors and
// token). The pod patcher reads the in-cluster token and CA paths, which no process outside a pod has, so
// the sidecars run in this process with those paths pointed at the test's files; the streamers are child
// processes and the players a real browser.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SIDECAR } from '../common/metric-names.js';
import {
  ALLOCATED_LABEL,
  DELETION_COST_ANNOTATION,
  POD_PATCH_CONTENT_TYPE,
  STREAMER_POD_SELECTOR,
  deletionCost,
} from '../common/pod-marks.js';
import { sample, startTestSidecar, type TestSidecar } from '../signalserver/test-sidecar.js';
import {
  closeAllBrowsers,
  launchBrowser,
  measureFps,
  newPage,
  waitForFirstFrame,
} from './support/browser.js';
import { FakeKubeApi, replyJson, type ApiRequest } from './support/fake-kube-api.js';
import { repoRoot, startNode, type RunningProcess } from './support/processes.js';
import { requirements } from './support/tools.js';

const ok = requirements(['chromium', 'ffmpeg'], { netns: true });

/** Streams sharing the host (time-slicing replicas of one GPU). */
const N = 3;
const NAMESPACE = 'pixel';
const NODE = 'gpu-node-1';
const TOKEN = 'shared-gpu-e2e-token';
/** Below the reference streamer's 30 fps with room for a shared, noisy 2-core machine. */
const MIN_FPS = 20;

interface StoredPod {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** The API server as far as the pod patchers use it: merge patches of one pod, lists of the node's pods. */
class NodeApi {
  readonly pods = new Map<string, StoredPod>();
  readonly problems: string[] = [];
  private readonly api = new FakeKubeApi((req, res) => this.handle(req, res));

  constructor(names: string[]) {
    for (const name of names)
      this.pods.set(name, { labels: { [ALLOCATED_LABEL]: 'false' }, annotations: {} });
  }

  listen(): Promise<string> {
    return this.api.listen();
  }

  close(): Promise<void> {
    return this.api.close();
  }

  private handle(req: ApiRequest, res: ServerResponse) {
    const url = new URL(req.url, 'http://api');
    const prefix = `/api/v1/namespaces/${NAMESPACE}/pods`;
    const reply = (status: number, body: unknown) => replyJson(res, status, body);
    if (req.authorization !== `Bearer ${TOKEN}`) {
      this.problems.push(`${req.method} ${req.url}: token ${req.authorization}`);
      return reply(401, { kind: 'Status', code: 401 });
    }
    if (req.method === 'GET' && url.pathname === prefix) {
      const query = Object.fromEntries(url.searchParams);
      const expected = {
        labelSelector: STREAMER_POD_SELECTOR,
        fieldSelector: `spec.nodeName=${NODE}`,
        resourceVersion: '0',
      };
      if (JSON.stringify(query) !== JSON.stringify(expected)) this.problems.push(`list query ${url.search}`);
      const items = [...this.pods].map(([name, p]) => ({ metadata: { name, labels: p.labels } }));
      return reply(200, { kind: 'PodList', apiVersion: 'v1', items });
    }
    const name = url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length + 1) : '';
    const pod = this.pods.get(name);
    if (req.method === 'PATCH' && pod !== undefined) {
      if (req.contentType !== POD_PATCH_CONTENT_TYPE)
        this.problems.push(`patch content type ${req.contentType}`);
      const patch = req.body as { metadata: StoredPod };
      Object.assign(pod.labels, patch.metadata.labels);
      Object.assign(pod.annotations, patch.metadata.annotations);
      return reply(200, { kind: 'Pod', metadata: { name, labels: pod.labels } });
    }
    this.problems.push(`unexpected ${req.method} ${req.url}`);
    reply(404, { kind: 'Status', code: 404 });
  }

  cost(name: string): number {
    return Number(this.pods.get(name)?.annotations[DELETION_COST_ANNOTATION]);
  }
}

describe.skipIf(!ok)(`${N} streams sharing one host (one GPU)`, () => {
  const names = Array.from({ length: N }, (_, i) => `streamer-shared-${i}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'shared-gpu-'));
  const tokenFile = path.join(dir, 'token');
  const api = new NodeApi(names);
  const sidecars: TestSidecar[] = [];
  const streamers: RunningProcess[] = [];
  const pages: Page[] = [];
  let browser: Browser;

  beforeAll(async () => {
    writeFileSync(tokenFile, `${TOKEN}\n`);
    const apiUrl = await api.listen();
    for (const name of names) {
      const s = await startTestSidecar(
        { PLAYER_PAGE_DIR: path.join(repoRoot, 'player', 'build') },
        {
          podPatcher: {
            env: { POD_NAME: name, POD_NAMESPACE: NAMESPACE, NODE_NAME: NODE },
            apiUrl,
            tokenFile,
            debounceMs: 50,
            nodeFillIntervalMs: 300,
          },
        },
      );
      sidecars.push(s);
    }
    for (const [i, s] of sidecars.entries()) {
      const streamer = startNode('streamer/main.ts', {
        STREAMER_URL: s.streamerUrl,
        STREAMER_ID: `shared-${i}`,
        STREAM_WIDTH: '320',
        STREAM_HEIGHT: '180',
        LOG_LEVEL: 'info',
      });
      streamers.push(streamer);
    }
    await Promise.all(streamers.map((s) => s.waitFor((l) => l.msg === 'registered', 30_000)));
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await closeAllBrowsers();
    await Promise.all(streamers.map((s) => s.stop()));
    await Promise.all(sidecars.map((s) => s.sidecar.close()));
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every player gets its stream and keeps its frame rate while the others stream', async () => {
    for (const s of sidecars) {
      const { page, console } = await newPage(browser);
      await page.goto(`${s.httpUrl}/`);
      await waitForFirstFrame(page).catch((err: Error) => {
        throw new Error(`${err.message}\n${console.slice(-20).join('\n')}`);
      });
      pages.push(page);
    }
    // Steady state, all N at once: measured concurrently, so each figure is under the others' load.
    await pages[0]!.waitForTimeout(1_000);
    const rates = await Promise.all(pages.map((p) => measureFps(p, 5_000)));
    for (const [i, r] of rates.entries())
      expect(r.fps, `player ${i}: ${JSON.stringify(r)}`).toBeGreaterThanOrEqual(MIN_FPS);
  });

  it('the allocation metrics count streams, not GPUs: one allocated stream per sidecar, N on the host', async () => {
    const scrape = async (s: TestSidecar) => {
      const text = await (await fetch(s.metricsUrl)).text();
      return { allocated: sample(text, SIDECAR.allocated), available: sample(text, SIDECAR.available) };
    };
    const figures = await Promise.all(sidecars.map(scrape));
    expect(figures).toEqual(names.map(() => ({ allocated: 1, available: 0 })));
    expect(figures.reduce((sum, f) => sum + (f.allocated ?? 0), 0)).toBe(N);
  });

  it('every pod on the shared node is marked with the fill of N sessions on one node', async () => {
    const full = deletionCost(true, { pods: N, sessions: N });
    await vi.waitFor(() => expect(names.map((n) => api.cost(n))).toEqual(names.map(() => full)), {
      timeout: 10_000,
      interval: 100,
    });
    for (const n of names) expect(api.pods.get(n)?.labels[ALLOCATED_LABEL]).toBe('true');
    expect(api.problems).toEqual([]);
  });

  it('when one player leaves, its pod becomes the cheapest: the one scale-down takes first', async () => {
    await pages[0]!.context().close();
    const idle = deletionCost(false, { pods: N, sessions: N - 1 });
    const busy = deletionCost(true, { pods: N, sessions: N - 1 });
    await vi.waitFor(
      () => expect(names.map((n) => api.cost(n))).toEqual([idle, ...names.slice(1).map(() => busy)]),
      { timeout: 10_000, interval: 100 },
    );
    expect(Math.min(...names.map((n) => api.cost(n)))).toBe(api.cost(names[0]!));
    // The remaining players still stream.
    for (const p of pages.slice(1)) expect((await measureFps(p, 2_000)).frames).toBeGreaterThan(0);
    expect(api.problems).toEqual([]);
  });
});
