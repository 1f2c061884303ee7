// The player entry through Gateway API (ENTRY=gateway, the default): the kit's own Gateway with TLS from
// cert-manager's Gateway support, or an existing Gateway named in GATEWAY_PARENT; an HTTPRoute to each
// pool's session router (or straight to its pods without a router) with long standard timeouts, so
// signalling WebSockets live as long as their session. A pool on a path prefix (/process/) has it rewritten
// to `/`, so its router and the player page (whose URLs are relative) need not know the prefix. WebSocket upgrades need nothing extra on a
// conformant implementation; per-implementation idle timeouts are in k8s/README.md.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { parseGatewayParent, type KitConfig } from '../common/kit-config.js';
import { NAMES, PORTS, commonLabels } from './names.js';
import type { Pool } from './pools.js';

export interface GatewayProps {
  readonly config: KitConfig;
  /** The pools served, each on its own path. */
  readonly pools: readonly Pool[];
}

export const GATEWAY_API_VERSION = 'gateway.networking.k8s.io/v1';
/** Listener names of the kit's own Gateway. */
export const LISTENERS = { http: 'http', https: 'https' } as const;
/** A Gateway API duration (at most 5 digits per unit): whole hours as `24h`, else seconds. */
export function gatewayDuration(seconds: number): string {
  return seconds > 0 && seconds % 3600 === 0 ? `${seconds / 3600}h` : `${seconds}s`;
}

interface ParentRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  sectionName?: string;
}

export class PlayerGateway extends Construct {
  constructor(scope: Construct, id: string, props: GatewayProps) {
    super(scope, id);
    const c = props.config;
    const namespace = c.NAMESPACE;
    const labels = commonLabels('entry');
    const tls = c.TLS_ISSUER !== 'none';
    const existing = c.GATEWAY_PARENT === '' ? undefined : parseGatewayParent(c.GATEWAY_PARENT);

    let parent: ParentRef;
    if (existing !== undefined) {
      // Someone else's Gateway: its listeners, TLS and allowedRoutes are its owner's business.
      parent = {
        group: 'gateway.networking.k8s.io',
        kind: 'Gateway',
        namespace: existing.namespace,
        name: existing.name,
        ...(c.GATEWAY_LISTENER === '' ? {} : { sectionName: c.GATEWAY_LISTENER }),
      };
    } else {
      const listener = (name: string, protocol: 'HTTP' | 'HTTPS', port: number) => ({
        name,
        protocol,
        port,
        hostname: c.INGRESS_HOST,
        allowedRoutes: { namespaces: { from: 'Same' } },
      });
      new ApiObject(this, 'gateway', {
        apiVersion: GATEWAY_API_VERSION,
        kind: 'Gateway',
        metadata: {
          name: NAMES.gateway,
          namespace,
          labels,
          // cert-manager's gateway-shim issues a certificate for each HTTPS listener's hostname into its Secret.
          ...(tls ? { annotations: { 'cert-manager.io/cluster-issuer': c.TLS_ISSUER } } : {}),
        },
        spec: {
          gatewayClassName: c.GATEWAY_CLASS,
          listeners: [
            // Plain HTTP stays open with TLS too: ACME HTTP-01 challenges arrive there; everything else is redirected.
            listener(LISTENERS.http, 'HTTP', 80),
            ...(tls
              ? [
                  {
                    ...listener(LISTENERS.https, 'HTTPS', 443),
                    tls: {
                      mode: 'Terminate',
                      certificateRefs: [{ group: '', kind: 'Secret', name: c.TLS_SECRET_NAME }],
                    },
                  },
                ]
              : []),
          ],
        },
      });
      parent = { name: NAMES.gateway, sectionName: tls ? LISTENERS.https : LISTENERS.http };
      if (tls) {
        new ApiObject(this, 'redirect', {
          apiVersion: GATEWAY_API_VERSION,
          kind: 'HTTPRoute',
          metadata: { name: `${NAMES.gateway}-https-redirect`, namespace, labels },
          spec: {
            parentRefs: [{ name: NAMES.gateway, sectionName: LISTENERS.http }],
            hostnames: [c.INGRESS_HOST],
            rules: [
              {
                filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }],
              },
            ],
          },
        });
      }
    }

    const timeout =
      c.ENTRY_TIMEOUT_SECONDS === 'none' ? undefined : gatewayDuration(Number(c.ENTRY_TIMEOUT_SECONDS));
    // A signalling socket lives as long as its session: the standard timeouts (Envoy's default route
    // timeout is 15 s), where an implementation applies them to upgraded connections, must not cut it.
    // backendRequest may not exceed request.
    const timeouts = timeout === undefined ? {} : { timeouts: { request: timeout, backendRequest: timeout } };
    new ApiObject(this, 'route', {
      apiVersion: GATEWAY_API_VERSION,
      kind: 'HTTPRoute',
      metadata: { name: NAMES.gateway, namespace, labels },
      spec: {
        parentRefs: [parent],
        hostnames: [c.INGRESS_HOST],
        rules: props.pools.flatMap((pool) => poolRules(pool, c.ROUTER_ENABLED, timeouts)),
      },
    });
  }
}

/** The route rules of one pool: its path to its router (or Service), a prefix rewritten to `/`. */
export function poolRules(pool: Pool, routerEnabled: boolean, timeouts: object): object[] {
  const backendRefs = [
    routerEnabled
      ? { name: pool.router, port: PORTS.routerService }
      : { name: pool.name, port: PORTS.player },
  ];
  if (pool.path === '/')
    return [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs, ...timeouts }];
  const prefix = pool.path.replace(/\/$/, '');
  return [
    {
      matches: [{ path: { type: 'PathPrefix', value: prefix } }],
      filters: [
        { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } },
      ],
      backendRefs,
      ...timeouts,
    },
    {
      // The page's URLs are relative to its folder: `/process` must become `/process/`, or its socket
      // would resolve to the root, another pool.
      matches: [{ path: { type: 'Exact', value: prefix } }],
      filters: [
        {
          type: 'RequestRedirect',
          requestRedirect: { path: { type: 'ReplaceFullPath', replaceFullPath: pool.path }, statusCode: 301 },
        },
      ],
    },
  ];
}
