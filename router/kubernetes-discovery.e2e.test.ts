// Kubernetes discovery against a thin fake API server (the one boundary that cannot run here): it asserts
// the exact list and watch requests, then drives the router process through pod events — a pod becoming
// ready wakes the queue at once, a pod leaving discovery is logged and can no longer be resumed onto.
// A pod whose `allocated` label flips back to false goes to the waiting player on that event. A second
// fake refuses the list with 403 at first (no RBAC): the router serves but is not ready, logs the status
// and the API server's message, and turns ready and places the waiting player once the list is allowed.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ROUTER_RBAC_RULES } from '../common/pod-marks.js';
import { freePort, startNode, type RunningProcess } from '../test/support/processes.js';
import { SessionCookies } from './session-cookie.js';
import { Arrival } from './testing/arrival.js';
import { TOKEN, startFarms, type Farm } from './testing/stack.js';

const NS = 'px';
const SELECTOR = 'app.kubernetes.io/component=streamer';
const API_TOKEN = 'fake-service-account-token';

interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  accept: string | undefined;
}

function pod(name: string, ip: string, ready: boolean, allocated = false) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      uid: `uid-${name}`,
      resourceVersion: String(Date.now()),
      labels: { 'app.kubernetes.io/component': 'streamer', 'pixelstream.io/allocated': String(allocated) },
    },
    status: {
      phase: 'Running',
      podIP: ip,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}

/**
 * The thin fake API server: pod list and watch in namespace NS, 404 for anything else. `list` answers the
 * list request; a watch stays open and is handed to `watch` for the test to write events into.
 */
async function startFakeApi(
  list: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  watch: (res: http.ServerResponse) => void,
  seen: (req: http.IncomingMessage) => void = () => {},
): Promise<http.Server> {
  const api = http.createServer((req, res) => {
    seen(req);
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method !== 'GET' || url.pathname !== `/api/v1/namespaces/${NS}/pods`) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"kind":"Status","code":404}');
      return;
    }
    if (url.searchParams.get('watch') !== 'true') return list(req, res);
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    watch(res);
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
  return api;
}

/** A kubeconfig in `dir` pointing at the fake API server with the service-account token. */
function writeKubeconfig(dir: string, apiPort: number): string {
  const kubeconfig = path.join(dir, 'config');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'fake',
          cluster: { server: `http://127.0.0.1:${apiPort}`, 'insecure-skip-tls-verify': true },
        },
      ],
      users: [{ name: 'router', user: { token: API_TOKEN } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'router', namespace: NS } }],
      'current-context': 'fake',
    }),
  );
  return kubeconfig;
}

/** The router process with Kubernetes discovery against the fake API server. */
function startKubeRouter(dir: string, apiPort: number, sidecarPort: number): RunningProcess {
  return startNode('router/main.ts', {
    ROUTER_PORT: '0',
    METRICS_PORT: '0',
    ROUTER_HOST: '127.0.0.1',
    ROUTER_TOKEN: TOKEN,
    DISCOVERY: 'kubernetes',
    POD_NAMESPACE: NS,
    SIDECAR_PLAYER_PORT: String(sidecarPort),
    KUBECONFIG: writeKubeconfig(dir, apiPort),
    // Run inside a pod, the pod's own API server would win over KUBECONFIG.
    KUBERNETES_SERVICE_HOST: '',
    // Long on purpose: waiting players below must be woken by discovery events, not by polling.
    QUEUE_POLL_MS: '60000',
    PLAYER_PAGE_DIR: '/nonexistent-player-page',
    SHUTDOWN_DELAY_SECONDS: '0',
    SHUTDOWN_DRAIN_SECONDS: '0',
  });
}

describe('kubernetes discovery', () => {
  let farm: Farm;
  let api: http.Server;
  let router: RunningProcess;
  let routerUrl = '';
  let dir = '';
  const seen: Seen[] = [];
  let watchStream: http.ServerResponse | undefined;
  const open: Arrival[] = [];

  let sidecarPort = 0;

  beforeAll(async () => {
    sidecarPort = await freePort();
    [farm] = (await startFarms([2], { FARM_PLAYER_PORT: String(sidecarPort) })) as [Farm];
    api = await startFakeApi(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            apiVersion: 'v1',
            kind: 'PodList',
            metadata: { resourceVersion: '100' },
            items: [pod('streamer-a', '127.0.1.1', true), pod('streamer-b', '127.0.1.2', false)],
          }),
        );
      },
      (res) => (watchStream = res),
      (req) =>
        seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          auth: req.headers.authorization,
          accept: req.headers.accept,
        }),
    );
    dir = mkdtempSync(path.join(os.tmpdir(), 'router-kube-'));
    router = startKubeRouter(dir, (api.address() as AddressInfo).port, sidecarPort);
    const l = await router.waitFor((x) => x.msg === 'listening');
    routerUrl = `ws://127.0.0.1:${l.port as number}/`;
    const readyz = `http://127.0.0.1:${l.port as number}/readyz`;
    await vi.waitFor(() => expect(watchStream, 'the router opens its watch').toBeDefined(), 15_000);
    await vi.waitFor(async () => expect((await fetch(readyz)).status).toBe(200), {
      timeout: 5000,
      interval: 50,
    });
  }, 60_000);

  afterAll(async () => {
    for (const a of open) a.ws.terminate();
    watchStream?.end();
    await Promise.all([router?.stop(), farm?.proc.stop()]);
    api?.closeAllConnections();
    await new Promise<void>((r) => (api ? api.close(() => r()) : r()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists, then watches from the list resourceVersion, by label selector, with the service-account token', () => {
    const sel = encodeURIComponent(SELECTOR);
    expect(seen[0]).toEqual({
      method: 'GET',
      url: `/api/v1/namespaces/${NS}/pods?labelSelector=${sel}`,
      auth: `Bearer ${API_TOKEN}`,
      accept: expect.stringMatching(/^application\/json\b/) as string,
    });
    const watch = seen[1]!;
    expect(watch.method).toBe('GET');
    expect(watch.auth).toBe(`Bearer ${API_TOKEN}`);
    const u = new URL(watch.url, 'http://x');
    expect(u.pathname).toBe(`/api/v1/namespaces/${NS}/pods`);
    expect(Object.fromEntries(u.searchParams)).toEqual({
      watch: 'true',
      resourceVersion: '100',
      labelSelector: SELECTOR,
    });
    expect(seen).toHaveLength(2);
    // The Role the manifests grant is exactly what these calls need: list and watch on pods, nothing else.
    const verbs = seen.map((r) =>
      new URL(r.url, 'http://x').searchParams.get('watch') === 'true' ? 'watch' : 'list',
    );
    expect(ROUTER_RBAC_RULES).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: [...new Set(verbs)] }]);
  });

  it('sends players only to ready pods, and a pod turning ready wakes the queue at once', async () => {
    const first = new Arrival(routerUrl);
    open.push(first);
    await first.waitFor('config');
    expect(await first.streamer()).toBe('s0');
    const second = new Arrival(routerUrl);
    open.push(second);
    await second.waitFor('queuePosition');
    // The queue polls once a minute (QUEUE_POLL_MS): only the watch event can place the player this soon.
    watchStream!.write(
      `${JSON.stringify({ type: 'MODIFIED', object: pod('streamer-b', '127.0.1.2', true) })}\n`,
    );
    await second.waitFor('config', 5000);
    expect(await second.streamer()).toBe('s1');
    await router.waitFor((l) => l.msg === 'pod discovered' && l.pod === `${NS}/streamer-b`);
    // What the sidecar's pod patcher does next.
    watchStream!.write(
      `${JSON.stringify({ type: 'MODIFIED', object: pod('streamer-b', '127.0.1.2', true, true) })}\n`,
    );

    // streamer-a vanishes from discovery: logged; its dropped player cannot resume onto it any more.
    watchStream!.write(
      `${JSON.stringify({ type: 'DELETED', object: pod('streamer-a', '127.0.1.1', true, true) })}\n`,
    );
    await router.waitFor((l) => l.msg === 'pod left discovery' && l.pod === `${NS}/streamer-a`);
    first.ws.terminate();
    await first.closed;
    const back = new Arrival(routerUrl, first.cookie);
    open.push(back);
    await back.waitFor('queuePosition');
    await router.waitFor((l) => l.code === 'RESUME_POD_GONE');
    expect(back.has('config')).toBe(false);

    // streamer-b's player drops; another replica (here: the test) releases that reservation and the sidecar
    // flips its label to allocated=false. The label event, not polling, hands the pod to the waiting player.
    second.ws.terminate();
    await second.closed;
    // It waited, so its ticket came in-band; opened with the router's key, it names the reservation.
    const ticket = (await second.waitFor('sessionTicket')).ticket as string;
    const reservationId = new SessionCookies(TOKEN).decode(ticket)!.reservationId;
    const released = await fetch(`http://127.0.1.2:${sidecarPort}/reservations/${reservationId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(released.status).toBe(204);
    watchStream!.write(
      `${JSON.stringify({ type: 'MODIFIED', object: pod('streamer-b', '127.0.1.2', true, false) })}\n`,
    );
    await back.waitFor('config', 5000);
    expect(await back.streamer()).toBe('s1');
  });
});

describe('kubernetes discovery while the API server refuses the router', () => {
  let farm: Farm;
  let api: http.Server;
  let router: RunningProcess;
  let dir = '';
  let forbidden = true;
  const lists: string[] = [];
  const watches: http.ServerResponse[] = [];
  const open: Arrival[] = [];

  beforeAll(async () => {
    const sidecarPort = await freePort();
    [farm] = (await startFarms([1], { FARM_PLAYER_PORT: String(sidecarPort) })) as [Farm];
    api = await startFakeApi(
      (req, res) => {
        lists.push(req.url ?? '');
        if (forbidden) {
          // What the API server answers a service account without RBAC on pods.
          res.writeHead(403, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              kind: 'Status',
              apiVersion: 'v1',
              status: 'Failure',
              message: `pods is forbidden: User "system:serviceaccount:${NS}:router" cannot list resource "pods"`,
              reason: 'Forbidden',
              code: 403,
            }),
          );
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            apiVersion: 'v1',
            kind: 'PodList',
            metadata: { resourceVersion: '200' },
            items: [pod('streamer-c', '127.0.1.1', true)],
          }),
        );
      },
      (res) => watches.push(res),
    );
    dir = mkdtempSync(path.join(os.tmpdir(), 'router-kube-'));
    router = startKubeRouter(dir, (api.address() as AddressInfo).port, sidecarPort);
  }, 60_000);

  afterAll(async () => {
    for (const a of open) a.ws.terminate();
    for (const w of watches) w.end();
    await Promise.all([router?.stop(), farm?.proc.stop()]);
    api?.closeAllConnections();
    await new Promise<void>((r) => (api ? api.close(() => r()) : r()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves, says why and stays not ready while refused, then syncs and places the waiting player', async () => {
    const l = await router.waitFor((x) => x.msg === 'listening');
    const base = `http://127.0.0.1:${l.port as number}`;
    const refused = await router.waitFor((x) => x.code === 'DISCOVERY_ERROR');
    expect(refused.err).toBe(
      `HTTP 403: pods is forbidden: User "system:serviceaccount:${NS}:router" cannot list resource "pods"`,
    );
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const readyz = await fetch(`${base}/readyz`);
    expect(readyz.status).toBe(503);
    expect(((await readyz.json()) as { code: string }).code).toBe('not_ready');
    const player = new Arrival(`ws://127.0.0.1:${l.port as number}/`);
    open.push(player);
    expect((await player.waitFor('queuePosition')).position).toBe(1);
    // The list is retried (every 2 s) with the same request, never with a hole in it.
    await vi.waitFor(() => expect(lists.length, 'the list is retried').toBeGreaterThanOrEqual(2), 10_000);
    expect(new Set(lists)).toEqual(
      new Set([`/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(SELECTOR)}`]),
    );

    forbidden = false;
    await player.waitFor('config', 10_000);
    expect(await player.streamer()).toBe('s0');
    await router.waitFor((x) => x.msg === 'pod discovery synced');
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    await player.close(1000);
  });
});
