// coturn on every TURN node: host networking (relay ports cannot go through a Service), placed on the TURN
// pool only, its public address read from its own Node object (hence `get nodes`, and nothing more).
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { pullSecretFor, type KitConfig } from '../common/kit-config.js';
import { TURN_COMPONENT } from '../common/pod-marks.js';
import { NAMES, commonLabels, selectorLabels } from './names.js';
import {
  containerSecurity,
  fieldEnv,
  imageOf,
  plainEnv,
  podSecurity,
  poolSelector,
  poolTolerations,
  pullSecrets,
  secretEnv,
  startupProbe,
} from './pod-defaults.js';
import { WorkloadIdentity } from './workload-identity.js';

export interface TurnProps {
  readonly config: KitConfig;
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
export function turnContainerSecurity(c: KitConfig): k8s.SecurityContext {
  return containerSecurity(c, 'TURN', {
    addCapabilities: ['NET_BIND_SERVICE'],
    fileCapabilities: c.TURN_LISTEN_PORT < 1024,
  });
}

export class Turn extends Construct {
  readonly daemonSet: k8s.KubeDaemonSet;

  constructor(scope: Construct, id: string, props: TurnProps) {
    super(scope, id);
    const c = props.config;
    // Its own namespace: host networking and host ports need Pod Security `privileged`, which the
    // streamers' namespace (`restricted`) must not get.
    const namespace = c.TURN_NAMESPACE;
    const labels = commonLabels(TURN_COMPONENT);
    const selector = selectorLabels(TURN_COMPONENT);
    const identity = new WorkloadIdentity(this, 'identity', {
      name: NAMES.turn,
      namespace,
      labels,
      rules: TURN_RBAC_RULES,
      automountToken: true, // the entrypoint reads its Node from the API
      // Nodes are cluster-scoped; the kit's namespace in the name keeps two installs apart.
      clusterRoleName: `pixelstream-turn-${c.NAMESPACE}`,
    });

    const listen = c.TURN_LISTEN_PORT;
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
            serviceAccountName: identity.serviceAccountName,
            automountServiceAccountToken: true,
            enableServiceLinks: false,
            hostNetwork: true,
            // With host networking, ClusterFirst would silently fall back to the node's resolver.
            dnsPolicy: 'ClusterFirstWithHostNet',
            nodeSelector: poolSelector(c.TURN_POOL_LABEL),
            tolerations: poolTolerations(c.TURN_POOL_TAINT),
            imagePullSecrets: pullSecrets(pullSecretFor(c, 'TURN')),
            securityContext: podSecurity(),
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                name: 'coturn',
                ...imageOf(c, 'TURN'),
                ports: [
                  // hostNetwork: container port = host port. The relay range (TURN_MIN_PORT–TURN_MAX_PORT/UDP) is
                  // opened on the node directly; thousands of port entries would not fit a pod spec.
                  { name: 'turn-udp', containerPort: listen, hostPort: listen, protocol: 'UDP' },
                  { name: 'turn-tcp', containerPort: listen, hostPort: listen, protocol: 'TCP' },
                  // Keep it closed in the node firewall: only Prometheus (inside the cluster) scrapes it.
                  {
                    name: 'metrics',
                    containerPort: c.TURN_EXPORTER_PORT,
                    hostPort: c.TURN_EXPORTER_PORT,
                    protocol: 'TCP',
                  },
                ],
                env: [
                  ...plainEnv({
                    TURN_REALM: c.TURN_REALM,
                    TURN_LISTEN_PORT: listen,
                    TURN_MIN_PORT: c.TURN_MIN_PORT,
                    TURN_MAX_PORT: c.TURN_MAX_PORT,
                    TURN_ALLOWED_PEER_CIDRS: c.TURN_ALLOWED_PEER_CIDRS.join(','),
                    TURN_SERVICE_CIDR: c.TURN_SERVICE_CIDR,
                    TURN_STUN_SERVER: c.TURN_STUN_SERVER,
                    TURN_RUN_DIR: '/tmp/turn',
                    TURN_EXPORTER_PORT: c.TURN_EXPORTER_PORT,
                    LOG_LEVEL: c.LOG_LEVEL,
                  }),
                  // hostNetwork: 0.0.0.0 would be every address of the node, public ones included; the node's
                  // own IP is the pod IP Prometheus scrapes.
                  fieldEnv('TURN_EXPORTER_HOST', 'status.hostIP'),
                  secretEnv('TURN_SECRET', c.TURN_SECRET_NAME, 'secret'),
                  fieldEnv('NODE_NAME', 'spec.nodeName'),
                ],
                startupProbe: startupProbe(probe),
                livenessProbe: { ...probe, failureThreshold: 3 },
                readinessProbe: { ...probe, failureThreshold: 1 },
                resources: {
                  requests: {
                    cpu: k8s.Quantity.fromString('250m'),
                    memory: k8s.Quantity.fromString('128Mi'),
                  },
                  limits: { memory: k8s.Quantity.fromString('1Gi') },
                },
                // The one capability that binds ports below 1024; nothing else is granted.
                securityContext: turnContainerSecurity(c),
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } }],
          },
        },
      },
    });
  }
}
