// Who may talk to the kit's pods, pool by pool. The streamer port is never opened (it binds loopback inside
// the pod anyway); a pool's player port only from that pool's router (or the entry's proxies — the Gateway's
// data plane or the ingress controller — without a router); each router only from the entry's proxies; metrics
// only from the monitoring namespace; WebRTC media (UDP, any port) from anywhere, because players and the
// TURN relays (host-networked, so not selectable by label) reach the pods directly.
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PORT_NAMES, RENDERING_POOL, commonLabels, selectorLabels, type PoolWorkloads } from './names.js';

export interface NetworkPoliciesProps {
  /** Namespace of the kit's pods (and of the policies). */
  readonly namespace: string;
  /** Where Prometheus runs: the only source of the metrics ports. */
  readonly monitoringNamespace: string;
  /** Where the entry's proxies run (the Gateway's data plane, or the ingress controller). */
  readonly entryNamespace: string;
  /**
   * The pools, each with its router (then only it reaches the pool's player port, and it gets its own policy)
   * or without one.
   * @default [RENDERING_POOL] (`streamer` with its router)
   */
  readonly pools?: readonly PoolWorkloads[];
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
    const metrics: k8s.NetworkPolicyIngressRule = {
      from: [fromNamespace(props.monitoringNamespace)],
      ports: [tcp(PORT_NAMES.metrics)],
    };
    const entry = fromNamespace(props.entryNamespace);
    for (const pool of props.pools ?? [RENDERING_POOL]) this.pool(props.namespace, pool, entry, metrics);
  }

  private pool(
    namespace: string,
    { pool, router }: PoolWorkloads,
    entry: k8s.NetworkPolicyPeer,
    metrics: k8s.NetworkPolicyIngressRule,
  ): void {
    const playerFrom =
      router === undefined ? [entry] : [{ podSelector: { matchLabels: selectorLabels(router.component) } }];

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

    if (router !== undefined) {
      new k8s.KubeNetworkPolicy(this, router.name, {
        metadata: { name: router.name, namespace, labels: commonLabels(router.component) },
        spec: {
          podSelector: { matchLabels: selectorLabels(router.component) },
          policyTypes: ['Ingress'],
          ingress: [{ from: [entry], ports: [tcp(PORT_NAMES.http)] }, metrics],
        },
      });
    }
  }
}
