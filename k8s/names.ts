// Object names, ports and labels the constructs share — and that other folders rely on: the router's
// discovery selector, the adapter rules (Service `streamer`), ServiceMonitor label sets, the PDB.
import { COMPONENT_LABEL, ROUTER_COMPONENT, STREAMER_COMPONENT } from '../common/pod-marks.js';

export const APP_NAME = 'pixelstream';
export const NAME_LABEL = 'app.kubernetes.io/name';
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';

/** Object names (Services, Deployments, DaemonSet, ServiceAccounts share them per component). */
export const NAMES = {
  streamer: 'streamer',
  router: 'router',
  turn: 'turn',
  ingress: APP_NAME,
  gateway: APP_NAME,
} as const;

/** A named workload and the component label of its pods. */
export interface Workload {
  readonly name: string;
  readonly component: string;
}

/** A pool's workloads as policies and monitors see them: its pods, and its router's when it has one. */
export interface PoolWorkloads {
  readonly pool: Workload;
  /**
   * The pool's session router.
   * @default undefined (no router: the entry reaches the pool's pods directly)
   */
  readonly router?: Workload;
}

/** The rendering pool, `streamer`, with its router: what a kit without a processing pool runs. */
export const RENDERING_POOL: PoolWorkloads = {
  pool: { name: NAMES.streamer, component: STREAMER_COMPONENT },
  router: { name: NAMES.router, component: ROUTER_COMPONENT },
};

/** Container ports of the signalling sidecar (its contract defaults) and of the router. */
export const PORTS = {
  player: 8080,
  streamer: 8888,
  metrics: 9000,
  routerHttp: 8080,
  routerService: 80,
} as const;

/** Named ports: Services, probes, ServiceMonitors and NetworkPolicies refer to them by name. */
export const PORT_NAMES = { player: 'player', metrics: 'metrics', http: 'http' } as const;

/** The labels that select one component's pods (Deployment selectors, Services, policies). */
export function selectorLabels(component: string): Record<string, string> {
  return { [NAME_LABEL]: APP_NAME, [COMPONENT_LABEL]: component };
}

/** Labels on every object the kit creates. */
export function commonLabels(component: string): Record<string, string> {
  return { ...selectorLabels(component), [PART_OF_LABEL]: APP_NAME };
}

/** Label selector string for the router's POD_SELECTOR. */
export function selectorString(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
