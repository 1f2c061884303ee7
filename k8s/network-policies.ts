// Who may talk to the kit's pods, pool by pool. The streamer port is never opened (it binds loopback inside
// the pod anyway); a pool's player port only from that pool's router (or the entry's proxies — the Gateway's
// data plane or the ingress controller — without a router); each router only from the entry's proxies; metrics
// only from the monitoring namespace; WebRTC media (UDP, any port) from anywhere, because players and the
// TURN relays (host-networked, so not selectable by label) reach the pods directly.
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { KitConfig } from '../common/kit-config.js';
import { PORT_NAMES, commonLabels, selectorLabels } from './names.js';
import { routerComponent, type Pool } from './pools.js';

export interface NetworkPoliciesProps {
  readonly config: KitConfig;
  /** A streamer policy and a router policy per pool. */
  readonly pools: readonly Pool[];
}

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

function fromNamespace(name: string): k8s.NetworkPolicyPeer {
  return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: name } } };
}
function tcp(port: string): k8s.NetworkPolicyPort {
  return { protocol: 'TCP', port: k8s.IntOrString.fromString(port) };
}

export class NetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(scope, id);
    const c = props.config;
    const metrics: k8s.NetworkPolicyIngressRule = {
      from: [fromNamespace(c.MONITORING_NAMESPACE)],
      ports: [tcp(PORT_NAMES.metrics)],
    };
    // Where the entry's proxies run: the Gateway's data plane, or the ingress controller.
    const entry = fromNamespace(c.ENTRY === 'gateway' ? c.GATEWAY_DATAPLANE_NAMESPACE : c.INGRESS_NAMESPACE);
    for (const pool of props.pools) this.pool(c, pool, entry, metrics);
  }

  private pool(
    c: KitConfig,
    pool: Pool,
    entry: k8s.NetworkPolicyPeer,
    metrics: k8s.NetworkPolicyIngressRule,
  ): void {
    const namespace = c.NAMESPACE;
    const router = routerComponent(pool);
    const playerFrom = c.ROUTER_ENABLED
      ? [{ podSelector: { matchLabels: selectorLabels(router) } }]
      : [entry];

    new k8s.KubeNetworkPolicy(this, pool.name, {
      metadata: { name: pool.name, namespace, labels: commonLabels(pool.component) },
      spec: {
        podSelector: { matchLabels: selectorLabels(pool.component) },
        policyTypes: ['Ingress'],
        ingress: [
          { from: playerFrom, ports: [tcp(PORT_NAMES.player)] },
          metrics,
          {
            from: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }],
            ports: [{ protocol: 'UDP' }],
          },
        ],
      },
    });

    if (c.ROUTER_ENABLED) {
      new k8s.KubeNetworkPolicy(this, pool.router, {
        metadata: { name: pool.router, namespace, labels: commonLabels(router) },
        spec: {
          podSelector: { matchLabels: selectorLabels(router) },
          policyTypes: ['Ingress'],
          ingress: [{ from: [entry], ports: [tcp(PORT_NAMES.http)] }, metrics],
        },
      });
    }
  }
}
