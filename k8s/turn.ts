// coturn on every TURN node: host networking (relay ports cannot go through a Service), placed on the TURN
// pool only, its public address read from its own Node object (hence `get nodes`, and nothing more).
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { TURN_COMPONENT } from '../common/pod-marks.js';
import { NAMES } from './names.js';
import { fieldEnv, plainEnv, secretEnv } from './env-vars.js';
import { containerSecurity, healthProbes, kitContainer, serviceResources } from './containers.js';
import type { ImageProps, RunAs } from './containers.js';
import { poolPlacement, scratchVolume, workloadPod, type NodePool } from './pod-defaults.js';
import { componentIdentity } from './workload-identity.js';

export interface TurnProps {
  /**
   * Namespace of the DaemonSet and its ServiceAccount: its own, because host networking and host ports
   * need Pod Security `privileged`, which the streamers' namespace must not get.
   */
  readonly namespace: string;
  /** The kit's namespace: the cluster-wide role's name carries it, so two installs stay apart. */
  readonly kitNamespace: string;
  /** coturn's image. */
  readonly image: ImageProps;
  /** The TURN node pool (public IPs). */
  readonly nodePool: NodePool;
  /**
   * TURN listening port, UDP and TCP, on each node.
   * @default 3478
   */
  readonly listenPort?: number;
  /** Relay port range on each node (UDP). */
  readonly relayPorts: { readonly min: number; readonly max: number };
  /**
   * Port of coturn's /metrics on the node's IP.
   * @default 9642
   */
  readonly exporterPort?: number;
  /** TURN realm. */
  readonly realm: string;
  /** Secret (key `secret`) shared with the sidecars. */
  readonly secretName: string;
  /** The only private ranges coturn relays to (the pod CIDRs). */
  readonly allowedPeerCidrs: readonly string[];
  /** The Service CIDR, always refused as a relay peer. */
  readonly serviceCidr: string;
  /**
   * STUN server coturn asks for its public address when the node has no ExternalIP.
   * @default undefined (none)
   */
  readonly stunServer?: string;
  /**
   * coturn's LOG_LEVEL.
   * @default the image's own default (`info`)
   */
  readonly logLevel?: string;
}

/** RBAC rules coturn's entrypoint needs: read its own Node for the ExternalIP (turn/kube-node.ts). */
export const TURN_RBAC_RULES = [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }] as const;

/** The image's health probe (turn/Dockerfile copies the bundle to /app). */
export const TURN_PROBE_COMMAND = ['node', '/app/probe.mjs'] as const;
/**
 * The image's turnserver carries the file capability cap_net_bind_service (turn/Dockerfile). The kernel
 * refuses to run such a binary when the capability is outside the bounding set, so it is always added;
 * it is only *used* below port 1024, where no_new_privs must be off for the file capability to apply
 * (both shown with the real coturn in turn/low-port.e2e.test.ts).
 */
export function turnContainerSecurity(runAs: RunAs, listenPort: number): k8s.SecurityContext {
  return containerSecurity(runAs, {
    addCapabilities: ['NET_BIND_SERVICE'],
    fileCapabilities: listenPort < 1024,
  });
}

export class Turn extends Construct {
  readonly daemonSet: k8s.KubeDaemonSet;

  constructor(scope: Construct, id: string, props: TurnProps) {
    super(scope, id);
    const { namespace, image } = props;
    const { identity, labels, selector } = componentIdentity(this, TURN_COMPONENT, {
      name: NAMES.turn,
      namespace,
      rules: TURN_RBAC_RULES,
      automountToken: true, // the entrypoint reads its Node from the API
      // Nodes are cluster-scoped; the kit's namespace in the name keeps two installs apart.
      clusterRoleName: `pixelstream-turn-${props.kitNamespace}`,
    });

    const listen = props.listenPort ?? 3478;
    const exporter = props.exporterPort ?? 9642;
    // A STUN Binding over UDP to the local listener (turn/probe.ts): it tests the path players use, which a
    // tcpSocket probe on the same port would not.
    const probe = { exec: { command: [...TURN_PROBE_COMMAND] }, periodSeconds: 10, timeoutSeconds: 3 };
    this.daemonSet = new k8s.KubeDaemonSet(this, 'daemonset', {
      metadata: { name: NAMES.turn, namespace, labels },
      spec: {
        selector: { matchLabels: selector },
        updateStrategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) },
        },
        template: {
          metadata: { labels },
          spec: {
            ...workloadPod(identity, [image]),
            hostNetwork: true,
            // With host networking, ClusterFirst would silently fall back to the node's resolver.
            dnsPolicy: 'ClusterFirstWithHostNet',
            ...poolPlacement(props.nodePool),
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                // The one capability that binds ports below 1024; nothing else is granted.
                ...kitContainer('coturn', image, { security: turnContainerSecurity(image.runAs, listen) }),
                ports: [
                  // hostNetwork: container port = host port. The relay range (TURN_MIN_PORT–TURN_MAX_PORT/UDP) is
                  // opened on the node directly; thousands of port entries would not fit a pod spec.
                  { name: 'turn-udp', containerPort: listen, hostPort: listen, protocol: 'UDP' },
                  { name: 'turn-tcp', containerPort: listen, hostPort: listen, protocol: 'TCP' },
                  // Keep it closed in the node firewall: only Prometheus (inside the cluster) scrapes it.
                  {
                    name: 'metrics',
                    containerPort: exporter,
                    hostPort: exporter,
                    protocol: 'TCP',
                  },
                ],
                env: [
                  ...plainEnv({
                    TURN_REALM: props.realm,
                    TURN_LISTEN_PORT: listen,
                    TURN_MIN_PORT: props.relayPorts.min,
                    TURN_MAX_PORT: props.relayPorts.max,
                    TURN_ALLOWED_PEER_CIDRS: props.allowedPeerCidrs.join(','),
                    TURN_SERVICE_CIDR: props.serviceCidr,
                    TURN_STUN_SERVER: props.stunServer,
                    TURN_RUN_DIR: '/tmp/turn',
                    TURN_EXPORTER_PORT: exporter,
                    LOG_LEVEL: props.logLevel,
                  }),
                  // hostNetwork: 0.0.0.0 would be every address of the node, public ones included; the node's
                  // own IP is the pod IP Prometheus scrapes.
                  fieldEnv('TURN_EXPORTER_HOST', 'status.hostIP'),
                  secretEnv('TURN_SECRET', props.secretName, 'secret'),
                  fieldEnv('NODE_NAME', 'spec.nodeName'),
                ],
                ...healthProbes(probe, { ...probe, failureThreshold: 1 }),
                resources: serviceResources('250m', '1Gi'),
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [scratchVolume('tmp')],
          },
        },
      },
    });
  }
}
