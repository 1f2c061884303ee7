// The player entry: one host, TLS from cert-manager, long-lived WebSockets, routed to the session router
// (or straight to the streamer pods when the router is disabled).
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { KitConfig } from '../common/kit-config.js';
import { NAMES, PORT_NAMES, commonLabels } from './names.js';

export interface IngressProps {
  readonly config: KitConfig;
}

/** A signalling socket lives as long as the session; nginx's 60 s default would cut idle ones. */
export const WEBSOCKET_TIMEOUT_SECONDS = 3600;

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
      'nginx.ingress.kubernetes.io/proxy-read-timeout': String(WEBSOCKET_TIMEOUT_SECONDS),
      'nginx.ingress.kubernetes.io/proxy-send-timeout': String(WEBSOCKET_TIMEOUT_SECONDS),
      'nginx.ingress.kubernetes.io/proxy-body-size': '1m',
      ...(tls
        ? {
            'cert-manager.io/cluster-issuer': c.TLS_ISSUER,
            'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
          }
        : {}),
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
