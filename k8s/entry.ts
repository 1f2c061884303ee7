// What both player entries (a Gateway API route, gateway.ts, or an Ingress, ingress.ts) are told: the host
// players use, which pool is served on which path, and the certificate it terminates TLS with.
import { NAMES, PORTS, PORT_NAMES } from './names.js';

/** TLS from cert-manager: the ClusterIssuer that signs and the Secret it writes the certificate into. */
export interface EntryTls {
  readonly issuer: string;
  readonly secretName: string;
}

/** One pool on the entry host: its path and the Service players reach there. */
export interface EntryRoute {
  /** The pool's name (a pool off the root gets an Ingress of its own, named after it). */
  readonly pool: string;
  /** `/`, or one path segment such as `/process/`, stripped before the request reaches the Service. */
  readonly path: string;
  /** The Service's name. */
  readonly service: string;
  /** `router`: a session router's Service; `pool`: a pool's headless Service (no router). */
  readonly via: 'router' | 'pool';
}

/** The rendering pool's router at the root: what a kit without a processing pool serves. */
export const ROOT_ROUTE: EntryRoute = {
  pool: NAMES.streamer,
  path: '/',
  service: NAMES.router,
  via: 'router',
};

export interface EntryProps {
  /** Namespace of the entry's objects (the routers' and the pools'). */
  readonly namespace: string;
  /** The player host name. */
  readonly host: string;
  /**
   * The pools served, each on its own path.
   * @default [ROOT_ROUTE] (the router `router` at `/`)
   */
  readonly routes?: readonly EntryRoute[];
  /**
   * TLS on the entry.
   * @default undefined (plain HTTP)
   */
  readonly tls?: EntryTls;
}

/** The Service port a route's backend is reached on: its number and its name. */
export function backendPort(route: EntryRoute): { number: number; name: string } {
  return route.via === 'router'
    ? { number: PORTS.routerService, name: PORT_NAMES.http }
    : { number: PORTS.player, name: PORT_NAMES.player };
}
