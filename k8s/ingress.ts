// The player entry as an Ingress (ENTRY=ingress, for controllers without Gateway API): one host, TLS from
// cert-manager, routed to the root pool's session router (or straight to its pods when the router is
// disabled). Only standard fields carry that route; long WebSocket timeouts are controller-specific
// annotations, added here for ingress-nginx and documented for other controllers in k8s/README.md. A pool
// on a path prefix (/process/) gets an Ingress of its own: the prefix must be stripped, which the standard
// has no field for, so it is ingress-nginx's rewrite (other classes are refused by manifest-problems.ts).
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ROOT_ROUTE, backendPort, type EntryProps } from './entry.js';
import { NAMES, commonLabels } from './names.js';

export interface IngressProps extends EntryProps {
  /**
   * IngressClass; ingress-nginx's classes also get its timeout annotations.
   * @default 'nginx'
   */
  readonly ingressClass?: string;
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
    const { host, tls } = props;
    const ingressClass = props.ingressClass ?? 'nginx';
    const annotations: Record<string, string> = {
      ...(NGINX_CLASSES.has(ingressClass) ? nginxAnnotations(tls !== undefined) : {}),
      ...(tls === undefined ? {} : { 'cert-manager.io/cluster-issuer': tls.issuer }),
    };
    for (const route of props.routes ?? [ROOT_ROUTE]) {
      const backend: k8s.IngressBackend = {
        service: { name: route.service, port: { name: backendPort(route).name } },
      };
      const root = route.path === '/';
      const path: k8s.HttpIngressPath = root
        ? { path: '/', pathType: 'Prefix', backend }
        : { path: `${route.path}(.*)`, pathType: 'ImplementationSpecific', backend };
      new k8s.KubeIngress(this, root ? 'ingress' : `ingress-${route.pool}`, {
        metadata: {
          name: root ? NAMES.ingress : `${NAMES.ingress}-${route.pool}`,
          namespace: props.namespace,
          labels: commonLabels('ingress'),
          annotations: root ? annotations : { ...annotations, ...rewriteAnnotations() },
        },
        spec: {
          ingressClassName: ingressClass,
          tls: tls === undefined ? undefined : [{ hosts: [host], secretName: tls.secretName }],
          rules: [{ host, http: { paths: [path] } }],
        },
      });
    }
  }
}
