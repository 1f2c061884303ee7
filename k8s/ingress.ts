// The player entry as an Ingress (ENTRY=ingress, for controllers without Gateway API): one host, TLS from
// cert-manager, routed to the session router (or straight to the streamer pods when the router is
// disabled). Only standard fields carry the route; long WebSocket timeouts are controller-specific
// annotations, added here for ingress-nginx and documented for other controllers in k8s/README.md.
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { KitConfig } from '../common/kit-config.js';
import { NAMES, PORT_NAMES, commonLabels } from './names.js';

export interface IngressProps {
  readonly config: KitConfig;
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
const NGINX_CLASSES = new Set(['nginx', 'ingress-nginx']);

export class PlayerIngress extends Construct {
  readonly ingress: k8s.KubeIngress;

  constructor(scope: Construct, id: string, props: IngressProps) {
    super(scope, id);
    const c = props.config;
    const tls = c.TLS_ISSUER !== 'none';
    const backend: k8s.IngressBackend = c.ROUTER_ENABLED
      ? { service: { name: NAMES.router, port: { name: PORT_NAMES.http } } }
      : { service: { name: NAMES.streamer, port: { name: PORT_NAMES.player } } };
    const annotations: Record<string, string> = {
      ...(NGINX_CLASSES.has(c.INGRESS_CLASS) ? nginxAnnotations(tls) : {}),
      ...(tls ? { 'cert-manager.io/cluster-issuer': c.TLS_ISSUER } : {}),
    };
    this.ingress = new k8s.KubeIngress(this, 'ingress', {
      metadata: { name: NAMES.ingress, namespace: c.NAMESPACE, labels: commonLabels('ingress'), annotations },
      spec: {
        ingressClassName: c.INGRESS_CLASS,
        tls: tls ? [{ hosts: [c.INGRESS_HOST], secretName: c.TLS_SECRET_NAME }] : undefined,
        rules: [{ host: c.INGRESS_HOST, http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } }],
      },
    });
  }
}
