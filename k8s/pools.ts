// The pools a deployment runs, from the kit config: the rendering pool (the GPU app), a processing pool
// (PROCESS_SOURCE: each player's own camera through a function), or both. Each pool is a Deployment with its
// own labels and Service, its own router, autoscaler, NetworkPolicies and ServiceMonitor, and its own path on
// the one entry host; the objects of the rendering pool keep the names they always had.
import type { KitConfig, KitImage } from '../common/kit-config.js';
import { PROCESSOR_COMPONENT, ROUTER_COMPONENT, STREAMER_COMPONENT } from '../common/pod-marks.js';
import { PROCESSING_POOL } from '../support/index.js';
import { NAMES } from './names.js';

export interface Pool {
  /** Deployment, Service, HPA/ScaledObject, ServiceAccount and NetworkPolicy name. */
  readonly name: string;
  /** The pods' `app.kubernetes.io/component`: what the Service, the router and the policies select. */
  readonly component: string;
  /** The pool's session router: Deployment, Service and ServiceAccount name, and its pods' component. */
  readonly router: string;
  /** Path prefix players open on the entry host (`/` or e.g. `/process/`), rewritten to `/` for the router. */
  readonly path: string;
  /** Which image the app container runs (its name, tag, registry, pull Secret and user keys). */
  readonly image: KitImage;
  /** STREAM_SOURCE for the app; empty = the image's own. */
  readonly source: string;
  /** STREAM_CODEC for the app; empty = the image's own. */
  readonly codec: string;
  /** PersistentVolumeClaim mounted at RECORD_PATH (process:record); empty = none. */
  readonly recordClaim: string;
  /** GPUs per pod; 0 = none, and no GPU-pool placement. */
  readonly gpus: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Whether PREWARM_SCHEDULE applies (the rendering pool's, or the only pool's). */
  readonly prewarm: boolean;
  /** The router's resume cookie name (SESSION_COOKIE_NAME); undefined = the router's default. Pools on one
   * host need different names, or a browser playing both keeps only the last pool's ticket. */
  readonly sessionCookie?: string;
}

/** Object names of the processing pool (the rendering pool keeps NAMES.streamer / NAMES.router): the
 * committed prometheus-adapter rules name them too (support/options.ts PROCESSING_POOL). */
export const PROCESSOR_NAMES = {
  pool: PROCESSING_POOL.streamerService,
  router: PROCESSING_POOL.routerService,
} as const;

/** The pools `c` declares, the rendering pool first; never empty (the kit config refuses that). */
export function kitPools(c: KitConfig): Pool[] {
  const pools: Pool[] = [];
  if (c.RENDER_POOL_ENABLED)
    pools.push({
      name: NAMES.streamer,
      component: STREAMER_COMPONENT,
      router: NAMES.router,
      path: '/',
      image: 'STREAMER',
      source: c.STREAMER_SOURCE,
      // Turned into a processing pool itself, it needs a codec the players' cameras can be sent in.
      codec: c.STREAMER_SOURCE.startsWith('process:') ? c.PROCESS_CODEC : '',
      recordClaim: c.RECORD_CLAIM,
      gpus: c.GPUS_PER_POD,
      minReplicas: c.HPA_MIN_REPLICAS,
      maxReplicas: c.HPA_MAX_REPLICAS,
      prewarm: true,
    });
  if (c.PROCESS_SOURCE !== '')
    pools.push({
      name: PROCESSOR_NAMES.pool,
      component: PROCESSOR_COMPONENT,
      router: PROCESSOR_NAMES.router,
      // Alone, the processing pool takes the root: nothing else is served on the host.
      path: c.RENDER_POOL_ENABLED ? c.PROCESS_PATH : '/',
      image: 'PROCESS',
      source: c.PROCESS_SOURCE,
      codec: c.PROCESS_CODEC,
      recordClaim: c.PROCESS_RECORD_CLAIM,
      gpus: c.PROCESS_GPUS_PER_POD,
      minReplicas: c.PROCESS_MIN_REPLICAS,
      maxReplicas: c.PROCESS_MAX_REPLICAS,
      prewarm: !c.RENDER_POOL_ENABLED,
      sessionCookie: c.RENDER_POOL_ENABLED ? `pxs_session_${PROCESSOR_COMPONENT}` : undefined,
    });
  if (pools.length === 0) throw new Error('no pool: RENDER_POOL_ENABLED=false needs PROCESS_SOURCE');
  return pools;
}

/** The router pods' component label of a pool: `router` for the rendering pool, else the router's name. */
export function routerComponent(pool: Pool): string {
  return pool.router === NAMES.router ? ROUTER_COMPONENT : pool.router;
}
