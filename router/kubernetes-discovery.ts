// Discovery in a cluster: an informer (list + watch) on the streamer pods of one namespace, by label
// selector. Needs RBAC `get, list, watch` on pods in that namespace and nothing else.
import { EventEmitter } from 'node:events';
import { CoreV1Api, KubeConfig, makeInformer, type Informer, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../common/index.js';
import type { KubeApiSource } from './config.js';
import type { Discovery, Endpoint, EndpointChange } from './endpoints.js';
import { podKey, podToEndpoint } from './pod-endpoint.js';

export interface KubernetesDiscoveryOptions {
  namespace: string;
  selector: string;
  /** The sidecar's player port on each pod (SIDECAR_PLAYER_PORT). */
  port: number;
  /** The API server the config check allowed (RouterConfig.kubeApi). */
  api: KubeApiSource;
}

/** Wait before re-listing after the API server failed us; the watch itself reconnects when it ends. */
const RESTART_DELAY_MS = 2_000;

export class KubernetesDiscovery extends EventEmitter implements Discovery {
  private readonly byKey = new Map<string, Endpoint>();
  private snapshot: readonly Endpoint[] = [];
  private informer?: Informer<V1Pod>;
  private restartTimer?: NodeJS.Timeout;
  private stopped = false;
  private failedSinceStart = false;
  synced = false;

  constructor(
    private readonly options: KubernetesDiscoveryOptions,
    private readonly log: Logger,
  ) {
    super();
  }

  endpoints(): readonly Endpoint[] {
    return this.snapshot;
  }

  start(): Promise<void> {
    // Not loadFromDefault(): it would also try ~/.kube/config, which the config check never allowed.
    const kc = new KubeConfig();
    if ('inCluster' in this.options.api) kc.loadFromCluster();
    else kc.loadFromFile(this.options.api.kubeconfig);
    const api = kc.makeApiClient(CoreV1Api);
    const { namespace, selector } = this.options;
    const informer = makeInformer<V1Pod>(
      kc,
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
      () => api.listNamespacedPod({ namespace, labelSelector: selector }),
      selector,
    );
    this.informer = informer;
    informer.on('add', (pod) => this.upsert(pod));
    informer.on('update', (pod) => this.upsert(pod));
    informer.on('delete', (pod) => this.remove(podKey(pod), 'deleted'));
    informer.on('error', (err: unknown) => {
      this.failedSinceStart = true;
      if (this.stopped) return;
      this.log.warn({ code: 'DISCOVERY_ERROR', err: errText(err) }, 'pod watch failed; restarting');
      clearTimeout(this.restartTimer);
      this.restartTimer = setTimeout(() => void this.run(), RESTART_DELAY_MS);
    });
    // The router serves (and reports not-ready) while the API server is unreachable; never block start-up.
    void this.run();
    return Promise.resolve();
  }

  private async run(): Promise<void> {
    if (this.stopped || !this.informer) return;
    this.failedSinceStart = false;
    try {
      await this.informer.start();
    } catch (err) {
      this.failedSinceStart = true;
      this.log.warn({ code: 'DISCOVERY_ERROR', err: errText(err) }, 'pod list failed; retrying');
      this.restartTimer = setTimeout(() => void this.run(), RESTART_DELAY_MS);
      return;
    }
    if (!this.failedSinceStart && !this.synced) {
      this.synced = true;
      this.log.info(
        { pods: this.snapshot.length, namespace: this.options.namespace, selector: this.options.selector },
        'pod discovery synced',
      );
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.informer?.stop();
  }

  private upsert(pod: V1Pod): void {
    const key = podKey(pod);
    const ep = podToEndpoint(pod, this.options.port);
    if (!ep) return this.remove(key, 'not ready');
    const before = this.byKey.get(key);
    // Every update is published, unchanged hint or not: any patch of a streamer pod (its allocated label,
    // its deletion cost) is a moment when capacity may have appeared, and waiting players deserve a look.
    this.byKey.set(key, ep);
    if (before && before.url === ep.url) this.publish([], [], [ep]);
    else this.publish([ep], before ? [before] : []);
  }

  private remove(key: string, why: string): void {
    const before = this.byKey.get(key);
    if (!before) return;
    this.byKey.delete(key);
    this.log.debug({ pod: key, why }, 'pod no longer a candidate');
    this.publish([], [before]);
  }

  private publish(added: Endpoint[], removed: Endpoint[], updated: Endpoint[] = []): void {
    this.snapshot = [...this.byKey.values()];
    const change: EndpointChange = { added, removed, updated };
    this.emit('change', change);
  }
}

/**
 * One readable line for an API failure. A list error carries the HTTP status and the API server's Status
 * object ("pods is forbidden: User … cannot list …" for missing RBAC, a parse error for a bad POD_SELECTOR);
 * client-node's own message buries both in escaped JSON and response headers.
 */
function errText(err: unknown): string {
  const e = err as { code?: unknown; statusCode?: unknown; body?: unknown; message?: unknown };
  const status = typeof e.code === 'number' ? e.code : typeof e.statusCode === 'number' ? e.statusCode : 0;
  if (status > 0) {
    const detail = statusMessage(e.body) ?? (typeof e.message === 'string' ? e.message : '');
    return `HTTP ${status}: ${detail}`.slice(0, 500);
  }
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : JSON.stringify(err);
}

function statusMessage(body: unknown): string | undefined {
  let v = body;
  if (typeof body === 'string') {
    try {
      v = JSON.parse(body) as unknown;
    } catch {
      return body.trim() || undefined;
    }
  }
  const message = (v as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : undefined;
}
