// Who may talk to the kit's pods. The streamer port is never opened (it binds loopback inside the pod
// anyway); the player port only from the router (or the entry's proxies — the Gateway's data plane or the
// ingress controller — without a router); the router only from the entry's proxies; metrics
// only from the monitoring namespace; WebRTC media (UDP, any port) from anywhere, because players and the
// TURN relays (host-networked, so not selectable by label) reach the pods directly.
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { KitConfig } from '../common/kit-config.js';
import { ROUTER_COMPONENT, STREAMER_COMPONENT } from '../common/pod-marks.js';
import { PORT_NAMES, commonLabels, selectorLabels } from './names.js';

export interface NetworkPoliciesProps {
  readonly config: KitConfig;
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
    const namespace = c.NAMESPACE;
    const metrics: k8s.NetworkPolicyIngressRule = {
      from: [fromNamespace(c.MONITORING_NAMESPACE)],
      ports: [tcp(PORT_NAMES.metrics)],
    };
    // Where the entry's proxies run: the Gateway's data plane, or the ingress controller.
    const entry = fromNamespace(c.ENTRY === 'gateway' ? c.GATEWAY_DATAPLANE_NAMESPACE : c.INGRESS_NAMESPACE);
    const playerFrom = c.ROUTER_ENABLED
      ? [{ podSelector: { matchLabels: selectorLabels(ROUTER_COMPONENT) } }]
      : [entry];

    new k8s.KubeNetworkPolicy(this, 'streamer', {
      metadata: { name: 'streamer', namespace, labels: commonLabels(STREAMER_COMPONENT) },
      spec: {
        podSelector: { matchLabels: selectorLabels(STREAMER_COMPONENT) },
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
      new k8s.KubeNetworkPolicy(this, 'router', {
        metadata: { name: 'router', namespace, labels: commonLabels(ROUTER_COMPONENT) },
        spec: {
          podSelector: { matchLabels: selectorLabels(ROUTER_COMPONENT) },
          policyTypes: ['Ingress'],
          ingress: [{ from: [entry], ports: [tcp(PORT_NAMES.http)] }, metrics],
        },
      });
    }
  }
}
