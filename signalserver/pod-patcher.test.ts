// The pod patcher against a thin stand-in for the Kubernetes API server (the one boundary that cannot run
// here): every request's path, verb, content type, token and body is checked exactly.
// Covered: the start-up mark, an allocation change, a burst debounced, retry with back-off after 500s, a
// change during back-off, token rotation, a hanging server (timeout and retry), stop() aborting, and
// running outside a cluster.
// The debounce and back-off tests run on a fake clock (setTimeout and Date): the patcher's timers fire only
// when the test moves the clock, every request is stamped with that clock, so a delay is asserted exactly
// and "nothing follows" is "no timer is armed". Sockets keep real time; the tests wait for requests and
// outcomes as events, never by polling, because vi.waitFor would move a fake clock while it polls.
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeKubeApi, replyJson, type ApiRequest } from '../test/support/fake-kube-api.js';
import { captureLog } from '../test/support/log-capture.js';
import {
  ALLOCATED_DELETION_COST,
  ALLOCATED_LABEL,
  DELETION_COST_ANNOTATION,
  IDLE_DELETION_COST,
  POD_PATCH_CONTENT_TYPE,
  SAFE_TO_EVICT_ANNOTATION,
  SIDECAR_RBAC_RULES,
  STREAMER_POD_SELECTOR,
  deletionCost,
} from '../common/pod-marks.js';
import type { SidecarStatus } from '../common/reservation-api.js';
import { POD_LIST_ERRORS, podFacts, startPodPatcher, type PodFacts, type PodPatcher } from './pod-patcher.js';

interface Seen extends ApiRequest {
  at: number;
}

/** Answers each request with the next status in `plan` (then 200), or never when the status is 0. */
class FakeApiServer {
  readonly seen: Seen[] = [];
  plan: number[] = [];
  /** The body of a 200 answer: the API server returns the patched Pod. */
  pod: unknown = { kind: 'Pod' };
  /** The answer to a GET (the node-fill list). */
  podList: unknown = { kind: 'PodList', items: [] };
  /** Hanging calls that the client gave up on (closed its end). */
  dropped = 0;
  private api = new FakeKubeApi((req, res) => this.handle(req, res));
  private hanging: ServerResponse[] = [];
  private arrived = new EventEmitter();

  listen(): Promise<string> {
    return this.api.listen();
  }

  private handle(req: ApiRequest, res: ServerResponse) {
    this.seen.push({ ...req, at: Date.now() });
    this.arrived.emit('request');
    const status = this.plan.shift() ?? 200;
    if (status === 0) {
      this.hanging.push(res);
      res.on('close', () => this.dropped++);
      return;
    }
    const ok = req.method === 'GET' ? this.podList : this.pod;
    replyJson(res, status, status === 200 ? ok : { kind: 'Status', code: status });
  }

  /** Resolves once `n` requests have arrived. */
  async requests(n: number): Promise<Seen[]> {
    while (this.seen.length < n) await once(this.arrived, 'request');
    return this.seen;
  }

  async close() {
    this.hanging.forEach((r) => r.destroy());
    await this.api.close();
  }
}

/** The sidecar's status surface: status() plus 'change' events. */
class Allocation extends EventEmitter {
  private current: SidecarStatus = {
    streamerConnected: true,
    allocated: false,
    available: true,
    draining: false,
    reserved: false,
    players: 0,
    streamerId: 'DefaultStreamer',
  };
  status(): SidecarStatus {
    return this.current;
  }
  set(allocated: boolean) {
    this.current = { ...this.current, allocated, available: !allocated, players: allocated ? 1 : 0 };
    this.emit('change', this.current);
  }
}

function marks(allocated: boolean) {
  return {
    metadata: {
      labels: { [ALLOCATED_LABEL]: String(allocated) },
      annotations: {
        [DELETION_COST_ANNOTATION]: String(allocated ? ALLOCATED_DELETION_COST : IDLE_DELETION_COST),
        [SAFE_TO_EVICT_ANNOTATION]: String(!allocated),
      },
    },
  };
}

/** Every attempt's outcome, in order (the patcher's onPatch callback). */
class Outcomes {
  readonly all: string[] = [];
  private added = new EventEmitter();
  readonly record = (r: string) => {
    this.all.push(r);
    this.added.emit('outcome');
  };
  /** The server records a request before the client has read the answer: this waits for the outcome. */
  async reach(n: number): Promise<string[]> {
    while (this.all.length < n) await once(this.added, 'outcome');
    return this.all;
  }
}
/** The patcher's timers and the requests' stamps follow a clock the test moves; sockets keep real time. */
const fakeClock = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
const dir = mkdtempSync(join(tmpdir(), 'pod-patcher-'));
const tokenFile = join(dir, 'token');
const PODS_PATH = '/api/v1/namespaces/pixel/pods';
const POD_PATH = `${PODS_PATH}/streamer-abc-123`;
const clusterEnv = {
  KUBERNETES_SERVICE_HOST: '127.0.0.1',
  KUBERNETES_SERVICE_PORT: '1',
  POD_NAME: 'streamer-abc-123',
  POD_NAMESPACE: 'pixel',
};

let api: FakeApiServer;
let apiUrl: string;
let patcher: PodPatcher | undefined;

beforeAll(() => writeFileSync(tokenFile, 'token-one\n'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await patcher?.stop();
  patcher = undefined;
  await api.close();
  vi.useRealTimers();
});

async function start(
  opts: {
    debounceMs?: number;
    retryInitialMs?: number;
    plan?: number[];
    requestTimeoutMs?: number;
    env?: Record<string, string>;
    nodeFillIntervalMs?: number;
    podList?: unknown;
  } = {},
) {
  api = new FakeApiServer();
  api.plan = opts.plan ?? [];
  if (opts.podList !== undefined) api.podList = opts.podList;
  apiUrl = await api.listen();
  const source = new Allocation();
  const { logger, lines } = captureLog('sidecar', 'debug');
  const results = new Outcomes();
  patcher = startPodPatcher(
    source,
    {
      env: { ...clusterEnv, ...opts.env },
      apiUrl,
      tokenFile,
      nodeFillIntervalMs: opts.nodeFillIntervalMs ?? 60_000,
      debounceMs: opts.debounceMs ?? 100,
      retryInitialMs: opts.retryInitialMs ?? 200,
      requestTimeoutMs: opts.requestTimeoutMs ?? 2000,
      onPatch: results.record,
    },
    logger,
  );
  return { source, lines, results };
}

describe('pod patcher', () => {
  it('marks the pod idle at start, then allocated, with an exact merge patch', async () => {
    const { source, results } = await start();
    const [first] = await api.requests(1);
    expect(first).toMatchObject({
      method: 'PATCH',
      url: POD_PATH,
      contentType: POD_PATCH_CONTENT_TYPE,
      authorization: 'Bearer token-one',
      body: marks(false),
    });
    expect(POD_PATCH_CONTENT_TYPE).toBe('application/merge-patch+json');

    source.set(true);
    const seen = await api.requests(2);
    expect(seen[1]).toMatchObject({
      method: 'PATCH',
      url: POD_PATH,
      contentType: 'application/merge-patch+json',
      body: marks(true),
    });
    expect(marks(true).metadata.annotations[SAFE_TO_EVICT_ANNOTATION]).toBe('false');
    expect(Number(marks(true).metadata.annotations[DELETION_COST_ANNOTATION])).toBeGreaterThan(
      Number(marks(false).metadata.annotations[DELETION_COST_ANNOTATION]),
    );
    expect(await results.reach(2)).toEqual(['ok', 'ok']);
  });

  it('sends only the final state of a burst of changes, once the burst has been quiet for debounceMs', async () => {
    fakeClock();
    const { source, results } = await start({ debounceMs: 300 });
    vi.advanceTimersToNextTimer(); // the start-up mark
    await results.reach(1);
    // 25 changes 10 ms apart (ends on allocated, i = 24): each one restarts the quiet period.
    for (let i = 0; i < 25; i++) {
      source.set(i % 2 === 0);
      vi.advanceTimersByTime(10);
    }
    const lastChange = Date.now() - 10;
    vi.advanceTimersToNextTimer();
    const seen = await api.requests(2);
    expect((seen[1]?.at ?? 0) - lastChange).toBe(300);
    expect(seen[1]?.body).toEqual(marks(true));
    expect(await results.reach(2)).toEqual(['ok', 'ok']);
    expect(vi.getTimerCount()).toBe(0); // nothing more is due, however long one waits

    // A burst that ends where it started sends nothing at all.
    source.set(false);
    source.set(true);
    vi.runAllTimers();
    await patcher?.stop(); // waits for any call started meanwhile, and each call reports an outcome
    patcher = undefined;
    expect(results.all).toEqual(['ok', 'ok']);
    expect(api.seen).toHaveLength(2);
  });

  // The back-off rules are tables in patch-schedule.test.ts; this is their run with real calls.
  it('retries after a 500 with backoff, sending the latest state', async () => {
    fakeClock();
    const { source, lines, results } = await start({ plan: [200, 500, 500], retryInitialMs: 200 });
    vi.advanceTimersToNextTimer();
    await results.reach(1);
    source.set(true);
    for (let n = 2; n <= 4; n++) {
      vi.advanceTimersToNextTimer(); // the debounce, then each retry
      await results.reach(n);
    }
    const seen = api.seen;
    expect(seen.map((s) => s.body)).toEqual([marks(false), marks(true), marks(true), marks(true)]);
    expect((seen[2]?.at ?? 0) - (seen[1]?.at ?? 0)).toBe(200);
    expect((seen[3]?.at ?? 0) - (seen[2]?.at ?? 0)).toBe(400); // doubled
    expect(results.all).toEqual(['ok', 'error', 'error', 'ok']);
    expect(vi.getTimerCount()).toBe(0);
    const warns = lines.filter((l) => l.msg === 'pod patch failed; retrying');
    expect(warns).toHaveLength(2);
    expect(warns[0]).toMatchObject({ level: 'warn', code: 'POD_PATCH_HTTP_STATUS', status: 500 });
  });

  it('a change during a failing retry is what the retry sends', async () => {
    fakeClock();
    const { source, results } = await start({ plan: [500], retryInitialMs: 400 });
    vi.advanceTimersToNextTimer();
    await results.reach(1); // start-up patch (idle) failed
    vi.advanceTimersByTime(100);
    source.set(true); // during the back-off: must not cut it short, must be sent by the retry
    vi.advanceTimersToNextTimer();
    const seen = await api.requests(2);
    expect((seen[1]?.at ?? 0) - (seen[0]?.at ?? 0)).toBe(400);
    expect(seen[1]?.body).toEqual(marks(true));
    expect(await results.reach(2)).toEqual(['error', 'ok']);
    expect(vi.getTimerCount()).toBe(0); // the change added no call of its own
  });

  it('re-reads the token before each call (kubelet rotates it)', async () => {
    const { source } = await start();
    await api.requests(1);
    writeFileSync(tokenFile, 'token-two\n');
    source.set(true);
    const seen = await api.requests(2);
    expect(seen[1]?.authorization).toBe('Bearer token-two');
    writeFileSync(tokenFile, 'token-one\n');
  });

  it('never blocks the caller: a hanging API server times out and is retried', async () => {
    const { source, lines } = await start({ plan: [0], requestTimeoutMs: 300, retryInitialMs: 100 });
    await api.requests(1);
    for (let i = 0; i < 1000; i++) source.set(i % 2 === 0);
    expect(api.seen).toHaveLength(1); // the change handler did no I/O of its own
    const seen = await api.requests(2); // the hung call timed out, the retry carries the latest state
    expect(seen[1]?.body).toEqual(marks(false));
    expect(lines.some((l) => l.code === 'POD_PATCH_TIMEOUT')).toBe(true);
  });

  it('stop() aborts a call the API server never answers', async () => {
    // The call's own limit is beyond the test's: only an abort lets stop() resolve in time.
    const { results } = await start({ plan: [0], requestTimeoutMs: 600_000 });
    await api.requests(1);
    await patcher?.stop();
    patcher = undefined;
    expect(results.all).toEqual(['error']);
    await vi.waitFor(() => expect(api.dropped).toBe(1)); // the API server saw the call given up
  });

  it('outside a cluster does nothing and says so once', async () => {
    api = new FakeApiServer();
    await api.listen();
    const { logger, lines } = captureLog('sidecar', 'debug');
    const source = new Allocation();
    fakeClock();
    patcher = startPodPatcher(source, { env: { POD_NAME: 'x' } }, logger);
    source.set(true);
    source.set(false);
    expect(vi.getTimerCount()).toBe(0); // no call is due, now or later
    const notes = lines.filter(
      (l) => typeof l.msg === 'string' && l.msg.startsWith('not in a Kubernetes cluster'),
    );
    expect(notes).toHaveLength(1);
    expect(notes[0]?.missing).toEqual(['POD_NAMESPACE', 'KUBERNETES_SERVICE_HOST']);
    expect(api.seen).toHaveLength(0);
  });

  it('makes only the calls its RBAC rules grant: list pods (node fill) and patch its own pod', async () => {
    const { source } = await start({ env: { NODE_NAME: 'gpu-node-1' }, nodeFillIntervalMs: 100 });
    await api.requests(2);
    source.set(true);
    await api.requests(4);
    // RBAC verbs of these requests: GET on the pods collection = list, PATCH on one pod = patch.
    const verbs = new Set(
      api.seen.map((s) =>
        s.method === 'GET' && s.url.startsWith(PODS_PATH + '?') ? 'list' : s.method.toLowerCase(),
      ),
    );
    const granted = SIDECAR_RBAC_RULES.flatMap((r) => r.verbs as readonly string[]);
    expect([...verbs].sort()).toEqual([...granted].sort());
    for (const s of api.seen)
      if (s.method === 'PATCH') expect(s.url).toBe(POD_PATH);
      else expect(s.url.startsWith(`${PODS_PATH}?`)).toBe(true);
  });
});

describe('deletion cost weighted by node fill', () => {
  const pod = (name: string, allocated: boolean, terminating = false) => ({
    metadata: {
      name,
      labels: { [ALLOCATED_LABEL]: String(allocated) },
      ...(terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
  });
  const list = (...items: unknown[]) => ({ kind: 'PodList', apiVersion: 'v1', items });
  const cost = (seen: Seen | undefined) =>
    Number((seen?.body as ReturnType<typeof marks>).metadata.annotations[DELETION_COST_ANNOTATION]);

  it('lists the streamer pods on its node, then patches the cost of that fill', async () => {
    // Self (idle), another idle pod, one with a session, one terminating (leaving: not counted).
    await start({
      env: { NODE_NAME: 'gpu-node-1' },
      podList: list(pod('streamer-abc-123', false), pod('b', false), pod('c', true), pod('d', true, true)),
    });
    const [get, patch] = await api.requests(2);
    const url = new URL(get?.url ?? '', 'http://x');
    expect(get).toMatchObject({ method: 'GET', authorization: 'Bearer token-one', body: undefined });
    expect(url.pathname).toBe(PODS_PATH);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      labelSelector: STREAMER_POD_SELECTOR,
      fieldSelector: 'spec.nodeName=gpu-node-1',
      resourceVersion: '0',
    });
    expect(patch).toMatchObject({ method: 'PATCH', url: POD_PATH });
    expect(cost(patch)).toBe(deletionCost(false, { pods: 3, sessions: 1 }));
    expect((patch?.body as ReturnType<typeof marks>).metadata.labels).toEqual({ [ALLOCATED_LABEL]: 'false' });
  });

  it('patches again when the node fills or empties, and when its own session starts', async () => {
    const { source } = await start({
      env: { NODE_NAME: 'gpu-node-1' },
      nodeFillIntervalMs: 150,
      podList: list(pod('streamer-abc-123', false)),
    });
    await api.requests(2);
    expect(cost(api.seen[1])).toBe(deletionCost(false, { pods: 1, sessions: 0 }));
    api.podList = list(pod('streamer-abc-123', false), pod('b', true), pod('c', true));
    await vi.waitFor(() => expect(api.seen.filter((s) => s.method === 'PATCH')).toHaveLength(2));
    const patches = () => api.seen.filter((s) => s.method === 'PATCH');
    expect(cost(patches()[1])).toBe(deletionCost(false, { pods: 3, sessions: 2 }));
    source.set(true);
    await vi.waitFor(() => expect(patches()).toHaveLength(3));
    expect(cost(patches()[2])).toBe(deletionCost(true, { pods: 3, sessions: 3 }));
    // Unchanged lists send nothing more.
    const lists = api.seen.filter((s) => s.method === 'GET').length;
    await vi.waitFor(() =>
      expect(api.seen.filter((s) => s.method === 'GET').length).toBeGreaterThan(lists + 1),
    );
    expect(patches()).toHaveLength(3);
  });

  it('a refused list (a Role without list) is logged once; the pod is still marked, and fill joins once readable', async () => {
    const { lines } = await start({
      env: { NODE_NAME: 'gpu-node-1' },
      nodeFillIntervalMs: 100,
      plan: [403, 200, 403, 403],
      podList: list(pod('streamer-abc-123', false), pod('b', true)),
    });
    const seen = await api.requests(2);
    expect(seen.map((s) => s.method)).toEqual(['GET', 'PATCH']);
    expect(cost(seen[1])).toBe(IDLE_DELETION_COST);
    await vi.waitFor(() => expect(api.seen.filter((s) => s.method === 'PATCH')).toHaveLength(2), {
      timeout: 5000,
    });
    expect(cost(api.seen.filter((s) => s.method === 'PATCH')[1])).toBe(
      deletionCost(false, { pods: 2, sessions: 1 }),
    );
    const warns = lines.filter((l) => l.code === POD_LIST_ERRORS.http);
    expect(warns).toHaveLength(1);
    expect(warns[0]).toMatchObject({ level: 'warn', status: 403, node: 'gpu-node-1' });
    expect(lines.some((l) => l.msg === 'node fill read again')).toBe(true);
  });
});

describe('pod facts from the patch answer', () => {
  it('reads the creation time and whether a container restarted', () => {
    const pod = (restartCount: number) =>
      JSON.stringify({
        metadata: { creationTimestamp: '2026-01-02T03:04:05Z' },
        status: { containerStatuses: [{ restartCount: 0 }, { restartCount }] },
      });
    expect(podFacts(pod(0))).toEqual({ createdAtMs: Date.UTC(2026, 0, 2, 3, 4, 5), restarted: false });
    expect(podFacts(pod(2))?.restarted).toBe(true);
    expect(podFacts('{"kind":"Pod"}')).toBeUndefined();
    expect(podFacts('{"metadata":{"creationTimestamp":"yesterday"}}')).toBeUndefined();
    expect(podFacts('not json')).toBeUndefined();
  });

  it('hands them over once, from the first accepted patch', async () => {
    api = new FakeApiServer();
    api.pod = { kind: 'Pod', metadata: { creationTimestamp: '2026-01-02T03:04:05Z' } };
    api.plan = [500];
    apiUrl = await api.listen();
    const facts: PodFacts[] = [];
    const source = new Allocation();
    patcher = startPodPatcher(
      source,
      {
        env: clusterEnv,
        apiUrl,
        tokenFile,
        debounceMs: 50,
        retryInitialMs: 50,
        onPodFacts: (f) => facts.push(f),
      },
      captureLog('sidecar', 'debug').logger,
    );
    await api.requests(2); // refused, then accepted
    source.set(true);
    await api.requests(3);
    await vi.waitFor(() =>
      expect(facts).toEqual([{ createdAtMs: Date.UTC(2026, 0, 2, 3, 4, 5), restarted: false }]),
    );
  });
});

describe('pod patcher inside a real sidecar', () => {
  it('patches the pod when a real player subscribes and leaves, and counts the patches', async () => {
    const { startTestSidecar } = await import('./test-sidecar.js');
    const { StreamerStandIn } = await import('../test/support/streamer-stand-in.js');
    const { PlayerClient } = await import('../test/support/player-client.js');
    api = new FakeApiServer();
    const createdAt = Date.now() - 42_000; // the pod was created 42 s before this sidecar's streamer came up
    api.pod = { kind: 'Pod', metadata: { creationTimestamp: new Date(createdAt).toISOString() } };
    apiUrl = await api.listen();
    const { sidecar, streamerUrl, playerUrl, metricsUrl } = await startTestSidecar(
      {},
      { podPatcher: { env: clusterEnv, apiUrl, tokenFile, debounceMs: 50 } },
    );
    try {
      const streamer = await StreamerStandIn.start(streamerUrl);
      const id = await streamer.registered();
      await api.requests(1); // the start-up mark: idle
      const player = await PlayerClient.connect(playerUrl);
      await player.subscribeAndWaitOffer(id);
      const seen = await api.requests(2);
      expect(seen[1]).toMatchObject({
        method: 'PATCH',
        url: POD_PATH,
        contentType: POD_PATCH_CONTENT_TYPE,
        body: marks(true),
      });
      player.ws.close();
      const after = await api.requests(3);
      expect(after[2]).toMatchObject({ method: 'PATCH', url: POD_PATH, body: marks(false) });
      const text = await (await fetch(metricsUrl)).text();
      expect(text).toMatch(/^pixelstream_pod_patches_total\{result="ok"\} 3$/m);
      // One cold start observed: creation (42 s ago, whole seconds in the API) to the streamer registering.
      expect(text).toMatch(/^pixelstream_pod_ready_seconds_count 1$/m);
      const sum = Number(/^pixelstream_pod_ready_seconds_sum (\S+)$/m.exec(text)?.[1]);
      expect(sum).toBeGreaterThanOrEqual(41);
      expect(text).toMatch(/^pixelstream_pod_ready_seconds_bucket\{le="30"\} 0$/m);
      expect(text).toMatch(/^pixelstream_pod_ready_seconds_bucket\{le="\+Inf"\} 1$/m);
      streamer.ws.close();
    } finally {
      await sidecar.close();
    }
  });
});
