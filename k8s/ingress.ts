// The player entry as an Ingress (ENTRY=ingress, for controllers without Gateway API): one host, TLS from
// cert-manager, routed to the root pool's session router (or straight to its pods when the router is
// disabled). Only standard fields carry that route; long WebSocket timeouts are controller-specific
// annotations, added here for ingress-nginx and documented for other controllers in k8s/README.md. A pool
// on a path prefix (/process/) gets an Ingress of its own: the prefix must be stripped, which the standard
// has no field for, so it is ingress-nginx's rewrite (other classes are refused by manifest-problems.ts).
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { KitConfig } from '../common/kit-config.js';
import { NAMES, PORT_NAMES, commonLabels } from './names.js';
import type { Pool } from './pools.js';

export interface IngressProps {
  readonly config: KitConfig;
  /** The pools served: the one at `/` in Ingress `pixelstream`, each prefixed one in its own. */
  readonly pools: readonly Pool[];
}

/** A signalling socket lives as long as the session; nginx's 60 s default would cut idle ones. */
export const WEBSOCKET_TIMEOUT_SECONDS = 3600;

/** ingress-nginx's own annotations: long socket timeouts, small bodies, HTTPS redirect. Other classes get none. */
function nginxAnnotations(tls: boolean): Record<string, string> {
  return {
    'nginx.ingress.kubernetes.io/proxy-read-timeout': String(WEBSOCKET_TIMEOUT_SECONDS),
    'nginx.ingress.kubernetes.io/proxy-send-timeout': String(WEBSOCKET_TIMEOUT_SECONDS),
    'nginx.ingress.kubernetes.io/proxy-body-size': '1m',
    ...(tls ? { 'nginx.ingress.kubernetes.io/ssl-redirect': 'true' } : {}),
  };
}
/** IngressClass names ingress-nginx installs under (its chart's default and the common alias). */
export const NGINX_CLASSES: ReadonlySet<string> = new Set(['nginx', 'ingress-nginx']);

/** ingress-nginx's rewrite of a prefixed pool's paths: /process/x → /x (the regex's second group). */
function rewriteAnnotations(): Record<string, string> {
  return {
    'nginx.ingress.kubernetes.io/use-regex': 'true',
    'nginx.ingress.kubernetes.io/rewrite-target': '/$1',
  };
}

export class PlayerIngress extends Construct {
  constructor(scope: Construct, id: string, props: IngressProps) {
    super(scope, id);
    const c = props.config;
    const tls = c.TLS_ISSUER !== 'none';
    const annotations: Record<string, string> = {
      ...(NGINX_CLASSES.has(c.INGRESS_CLASS) ? nginxAnnotations(tls) : {}),
      ...(tls ? { 'cert-manager.io/cluster-issuer': c.TLS_ISSUER } : {}),
    };
    for (const pool of props.pools) {
      const backend: k8s.IngressBackend = c.ROUTER_ENABLED
        ? { service: { name: pool.router, port: { name: PORT_NAMES.http } } }
        : { service: { name: pool.name, port: { name: PORT_NAMES.player } } };
      const root = pool.path === '/';
      const path: k8s.HttpIngressPath = root
        ? { path: '/', pathType: 'Prefix', backend }
        : { path: `${pool.path}(.*)`, pathType: 'ImplementationSpecific', backend };
      new k8s.KubeIngress(this, root ? 'ingress' : `ingress-${pool.name}`, {
        metadata: {
          name: root ? NAMES.ingress : `${NAMES.ingress}-${pool.name}`,
          namespace: c.NAMESPACE,
          labels: commonLabels('ingress'),
          annotations: root ? annotations : { ...annotations, ...rewriteAnnotations() },
        },
        spec: {
          ingressClassName: c.INGRESS_CLASS,
          tls: tls ? [{ hosts: [c.INGRESS_HOST], secretName: c.TLS_SECRET_NAME }] : undefined,
          rules: [{ host: c.INGRESS_HOST, http: { paths: [path] } }],
        },
      });
    }
  }
}
