// The thin fake Kubernetes API server the pods are given (the one part that cannot run here): HTTPS with
// its own CA, on the node address. It serves exactly the calls the kit's Roles allow — list and watch of
// pods by equality label selector (the router's discovery; the sidecar's list of its node's pods by
// field selector spec.nodeName), a merge-patch of one pod (the sidecar's
// marks) and get of a hostNetwork pod's node (TURN's external-IP discovery) — from the pods the runner
// runs, and records every request; anything else is answered 404 and kept in `unexpected`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { POD_PATCH_CONTENT_TYPE } from '../../common/pod-marks.js';
import { selfSignedCertificate } from '../../turn/test-helpers.js';
import type { RunningPod } from './pod.js';
import { NODE_IP, ensureNodeBridge } from './pod-network.js';
import type { ClusterAccess } from './pod-volumes.js';

export interface ApiRequest {
  method: string;
  url: string;
  auth: string | undefined;
  contentType: string | undefined;
  body: string;
}

type PodObject = Record<string, unknown> & {
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
  };
};

function matches(selector: string | null, labels: Record<string, string>): boolean {
  if (!selector) return true;
  // Terms are split at commas outside parentheses: `key=value` and the set form `key in (a,b)`.
  return (selector.match(/[^,(]+(\([^)]*\))?/g) ?? []).every((term) => {
    const set = /^\s*([^\s]+)\s+in\s+\(([^)]*)\)\s*$/.exec(term);
    if (set) return set[2]!.split(',').some((v) => labels[set[1]!] === v.trim());
    const [k, v] = term.split('=');
    if (k === undefined || v === undefined || term.includes('!'))
      throw new Error(`fake API: selector term ${term} not emulated`);
    return labels[k] === v;
  });
}

export class FakeApiServer {
  readonly requests: ApiRequest[] = [];
  readonly unexpected: ApiRequest[] = [];
  /** Merge patches applied to each pod, by pod name. */
  readonly patches = new Map<string, unknown[]>();
  private readonly pods = new Map<string, RunningPod>();
  private readonly overlays = new Map<
    string,
    { labels: Record<string, string>; annotations: Record<string, string> }
  >();
  private readonly watches = new Set<{
    res: import('node:http').ServerResponse;
    ns: string;
    selector: string | null;
  }>();
  private version = 1000;

  private constructor(
    private readonly server: https.Server,
    readonly access: ClusterAccess,
    private readonly dir: string,
  ) {}

  static async start(token = 'fake-api-token-0123456789abcdef'): Promise<FakeApiServer> {
    await ensureNodeBridge();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fake-api-'));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    selfSignedCertificate('kubernetes', key, cert, NODE_IP);
    const server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, NODE_IP, () => resolve());
    });
    const access: ClusterAccess = {
      host: NODE_IP,
      port: (server.address() as AddressInfo).port,
      caPem: readFileSync(cert, 'utf8'),
      token,
    };
    const api = new FakeApiServer(server, access, dir);
    server.on('request', (req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => api.handle(req, res, body));
    });
    return api;
  }

  /** Serves `pod` from now on; its changes (readiness, deletion) go out to open watches. */
  add(pod: RunningPod): void {
    this.pods.set(pod.name, pod);
    this.overlays.set(pod.name, { labels: {}, annotations: {} });
    this.broadcast('ADDED', pod);
    pod.on('change', () => this.broadcast('MODIFIED', pod));
  }

  /** The pod deleted from the API (after it terminated). */
  remove(pod: RunningPod): void {
    this.broadcast('DELETED', pod);
    this.pods.delete(pod.name);
  }

  /** The pod as served: the runner's view plus the labels and annotations patched in. */
  object(pod: RunningPod): PodObject {
    const o = pod.toApiObject() as PodObject;
    const overlay = this.overlays.get(pod.name);
    o.metadata.labels = { ...o.metadata.labels, ...overlay?.labels };
    o.metadata.annotations = { ...overlay?.annotations };
    o.metadata.resourceVersion = String(++this.version);
    return o;
  }

  private broadcast(type: string, pod: RunningPod): void {
    const o = this.object(pod);
    for (const w of this.watches)
      if (w.ns === o.metadata.namespace && matches(w.selector, o.metadata.labels))
        w.res.write(`${JSON.stringify({ type, object: o })}\n`);
  }

  private handle(
    req: import('node:http').IncomingMessage,
    res: import('node:http').ServerResponse,
    body: string,
  ) {
    const seen: ApiRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      auth: req.headers.authorization,
      contentType: req.headers['content-type'],
      body,
    };
    this.requests.push(seen);
    const url = new URL(seen.url, 'https://x');
    const list = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname);
    const one = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(url.pathname);
    const refuse = (code: number) => {
      if (code === 404) this.unexpected.push(seen);
      res
        .writeHead(code, { 'content-type': 'application/json' })
        .end(JSON.stringify({ kind: 'Status', code }));
    };
    if (seen.auth !== `Bearer ${this.access.token}`) return refuse(401);
    if (list && seen.method === 'GET') {
      const ns = list[1]!;
      const selector = url.searchParams.get('labelSelector');
      const fields = url.searchParams.get('fieldSelector');
      const onNode = fields === null ? undefined : /^spec\.nodeName=([^,]+)$/.exec(fields)?.[1];
      if (fields !== null && onNode === undefined) return refuse(404);
      const items = [...this.pods.values()]
        .filter((p) => onNode === undefined || p.identity.nodeName === onNode)
        .map((p) => this.object(p))
        .filter((o) => o.metadata.namespace === ns && matches(selector, o.metadata.labels));
      if (url.searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        res.flushHeaders();
        const w = { res, ns, selector };
        this.watches.add(w);
        res.on('close', () => this.watches.delete(w));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'PodList',
          metadata: { resourceVersion: String(this.version) },
          items,
        }),
      );
      return;
    }
    const node = /^\/api\/v1\/nodes\/([^/]+)$/.exec(url.pathname);
    if (node && seen.method === 'GET') {
      // A hostNetwork pod's namespace stands for its own node: the node's addresses are the pod's.
      const host = [...this.pods.values()].find(
        (p) => p.identity.nodeName === node[1] && p.identity.hostIP === p.ip,
      );
      if (!host) return refuse(404);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: node[1] },
          status: {
            addresses: [
              { type: 'InternalIP', address: host.ip },
              { type: 'ExternalIP', address: host.ip },
              { type: 'Hostname', address: node[1] },
            ],
          },
        }),
      );
      return;
    }
    if (one && seen.method === 'PATCH' && seen.contentType === POD_PATCH_CONTENT_TYPE) {
      const pod = this.pods.get(one[2]!);
      if (!pod || pod.identity.namespace !== one[1]) return refuse(404);
      const patch = JSON.parse(body) as {
        metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      };
      const overlay = this.overlays.get(pod.name)!;
      Object.assign(overlay.labels, patch.metadata?.labels);
      Object.assign(overlay.annotations, patch.metadata?.annotations);
      this.patches.set(pod.name, [...(this.patches.get(pod.name) ?? []), patch]);
      this.broadcast('MODIFIED', pod);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.object(pod)));
      return;
    }
    refuse(404);
  }

  async close(): Promise<void> {
    for (const w of this.watches) w.res.end();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
