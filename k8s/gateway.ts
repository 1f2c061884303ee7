// The player entry through Gateway API (ENTRY=gateway, the default): the kit's own Gateway with TLS from
// cert-manager's Gateway support, or an existing Gateway named in GATEWAY_PARENT; an HTTPRoute to each
// pool's session router (or straight to its pods without a router) with long standard timeouts, so
// signalling WebSockets live as long as their session. A pool on a path prefix (/process/) has it rewritten
// to `/`, so its router and the player page (whose URLs are relative) need not know the prefix. WebSocket
// upgrades need nothing extra on a conformant implementation; per-implementation idle timeouts are in
// k8s/README.md.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ROOT_ROUTE, backendPort, type EntryProps, type EntryRoute } from './entry.js';
import { NAMES, commonLabels } from './names.js';

export interface GatewayProps extends EntryProps {
  /**
   * GatewayClass of the kit's own Gateway.
   * @default 'eg' (Envoy Gateway)
   */
  readonly gatewayClass?: string;
  /**
   * An existing Gateway to attach the route to (and optionally one of its listeners) instead of the kit's own.
   * @default undefined (the kit's own Gateway)
   */
  readonly parent?: { readonly namespace: string; readonly name: string; readonly listener?: string };
  /**
   * The route's `timeouts.request` and `backendRequest`, in seconds (0 = none): the longest a signalling
   * WebSocket may last through the Gateway.
   * @default undefined (no `timeouts` field, for implementations without it)
   */
  readonly timeoutSeconds?: number;
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
    const { namespace, host } = props;
    const labels = commonLabels('entry');
    const tls = props.tls !== undefined;
    const existing = props.parent;

    let parent: ParentRef;
    if (existing !== undefined) {
      // Someone else's Gateway: its listeners, TLS and allowedRoutes are its owner's business.
      parent = {
        group: 'gateway.networking.k8s.io',
        kind: 'Gateway',
        namespace: existing.namespace,
        name: existing.name,
        ...(existing.listener === undefined ? {} : { sectionName: existing.listener }),
      };
    } else {
      const listener = (name: string, protocol: 'HTTP' | 'HTTPS', port: number) => ({
        name,
        protocol,
        port,
        hostname: host,
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
          ...(props.tls === undefined
            ? {}
            : { annotations: { 'cert-manager.io/cluster-issuer': props.tls.issuer } }),
        },
        spec: {
          gatewayClassName: props.gatewayClass ?? 'eg',
          listeners: [
            // Plain HTTP stays open with TLS too: ACME HTTP-01 challenges arrive there; everything else is redirected.
            listener(LISTENERS.http, 'HTTP', 80),
            ...(props.tls === undefined
              ? []
              : [
                  {
                    ...listener(LISTENERS.https, 'HTTPS', 443),
                    tls: {
                      mode: 'Terminate',
                      certificateRefs: [{ group: '', kind: 'Secret', name: props.tls.secretName }],
                    },
                  },
                ]),
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
            hostnames: [host],
            rules: [
              {
                filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }],
              },
            ],
          },
        });
      }
    }

    const timeout = props.timeoutSeconds === undefined ? undefined : gatewayDuration(props.timeoutSeconds);
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
        hostnames: [host],
        rules: (props.routes ?? [ROOT_ROUTE]).flatMap((route) => routeRules(route, timeouts)),
      },
    });
  }
}

/** The rules of one pool's route: its path to its Service, a prefix rewritten to `/`. */
export function routeRules(route: EntryRoute, timeouts: object): object[] {
  const backendRefs = [{ name: route.service, port: backendPort(route).number }];
  if (route.path === '/')
    return [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs, ...timeouts }];
  const prefix = route.path.replace(/\/$/, '');
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
          requestRedirect: {
            path: { type: 'ReplaceFullPath', replaceFullPath: route.path },
            statusCode: 301,
          },
        },
      ],
    },
  ];
}
