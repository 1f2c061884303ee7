// A pool's session router: stateless replicas that watch the pool's pods, reserve a free one at its sidecar
// and pipe the player's WebSocket there. Reads pods in its namespace and nothing else. Each pool has its
// own (k8s/pools.ts), so a router never has to choose between pools.
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { pullSecretFor, runAsFor, type KitConfig } from '../common/kit-config.js';
import { ROUTER_RBAC_RULES } from '../common/pod-marks.js';
import { PORTS, PORT_NAMES, commonLabels, selectorLabels, selectorString } from './names.js';
import { routerComponent, type Pool } from './pools.js';
import {
  containerSecurity,
  fieldEnv,
  imageOf,
  plainEnv,
  podSecurity,
  pullSecrets,
  secretEnv,
  startupProbe,
} from './pod-defaults.js';
import { WorkloadIdentity } from './workload-identity.js';

/** After SIGTERM the router stays reachable this long, until the ingress has dropped it (SHUTDOWN_DELAY_SECONDS). */
const SHUTDOWN_DELAY_SECONDS = 5;
/** …then piped players keep playing at most this long before they resume elsewhere (SHUTDOWN_DRAIN_SECONDS). */
const SHUTDOWN_DRAIN_SECONDS = 20;
/** Room for the process to close its sockets and exit before the kubelet's SIGKILL. */
const SHUTDOWN_MARGIN_SECONDS = 5;

export interface RouterProps {
  readonly config: KitConfig;
  /** The pool it routes to: its pods' selector, and the router's own name. */
  readonly pool: Pool;
}

export class Router extends Construct {
  readonly deployment: k8s.KubeDeployment;
  readonly service: k8s.KubeService;

  constructor(scope: Construct, id: string, props: RouterProps) {
    super(scope, id);
    const { config: c, pool } = props;
    const namespace = c.NAMESPACE;
    const name = pool.router;
    const labels = commonLabels(routerComponent(pool));
    const selector = selectorLabels(routerComponent(pool));

    const identity = new WorkloadIdentity(this, 'identity', {
      name,
      namespace,
      labels,
      rules: ROUTER_RBAC_RULES,
      automountToken: true,
    });

    const probe = (path: string) => ({
      httpGet: { path, port: k8s.IntOrString.fromString(PORT_NAMES.http) },
      periodSeconds: 5,
      timeoutSeconds: 2,
    });
    this.deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name, namespace, labels },
      spec: {
        replicas: c.ROUTER_REPLICAS,
        selector: { matchLabels: selector },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: {
            maxSurge: k8s.IntOrString.fromNumber(1),
            maxUnavailable: k8s.IntOrString.fromNumber(0),
          },
        },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: identity.serviceAccountName,
            automountServiceAccountToken: true,
            enableServiceLinks: false,
            imagePullSecrets: pullSecrets(pullSecretFor(c, 'ROUTER')),
            securityContext: podSecurity(runAsFor(c, 'ROUTER').gid),
            terminationGracePeriodSeconds:
              SHUTDOWN_DELAY_SECONDS + SHUTDOWN_DRAIN_SECONDS + SHUTDOWN_MARGIN_SECONDS,
            // Replicas on different nodes, so one node going away leaves the entry point up.
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: 'kubernetes.io/hostname',
                whenUnsatisfiable: 'ScheduleAnyway',
                labelSelector: { matchLabels: selector },
              },
            ],
            containers: [
              {
                name: 'router',
                ...imageOf(c, 'ROUTER'),
                ports: [
                  { name: PORT_NAMES.http, containerPort: PORTS.routerHttp, protocol: 'TCP' },
                  { name: PORT_NAMES.metrics, containerPort: PORTS.metrics, protocol: 'TCP' },
                ],
                env: [
                  ...plainEnv({
                    ROUTER_PORT: PORTS.routerHttp,
                    ROUTER_HOST: '0.0.0.0',
                    METRICS_PORT: PORTS.metrics,
                    DISCOVERY: 'kubernetes',
                    POD_SELECTOR: selectorString(selectorLabels(pool.component)),
                    SIDECAR_PLAYER_PORT: PORTS.player,
                    QUEUE_TIMEOUT_SECONDS: c.QUEUE_TIMEOUT_SECONDS,
                    LOG_LEVEL: c.LOG_LEVEL,
                    SHUTDOWN_DELAY_SECONDS,
                    SHUTDOWN_DRAIN_SECONDS,
                  }),
                  secretEnv('ROUTER_TOKEN', c.ROUTER_TOKEN_SECRET_NAME, 'token'),
                  fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
                ],
                startupProbe: startupProbe(probe('/healthz')),
                livenessProbe: { ...probe('/healthz'), failureThreshold: 3 },
                readinessProbe: { ...probe('/readyz'), failureThreshold: 2 },
                resources: {
                  requests: {
                    cpu: k8s.Quantity.fromString('100m'),
                    memory: k8s.Quantity.fromString('128Mi'),
                  },
                  limits: { memory: k8s.Quantity.fromString('512Mi') },
                },
                securityContext: containerSecurity(c, 'ROUTER'),
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } }],
          },
        },
      },
    });

    this.service = new k8s.KubeService(this, 'service', {
      metadata: { name, namespace, labels },
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [
          {
            name: PORT_NAMES.http,
            port: PORTS.routerService,
            targetPort: k8s.IntOrString.fromString(PORT_NAMES.http),
            protocol: 'TCP',
          },
          {
            name: PORT_NAMES.metrics,
            port: PORTS.metrics,
            targetPort: k8s.IntOrString.fromString(PORT_NAMES.metrics),
            protocol: 'TCP',
          },
        ],
      },
    });

    if (c.ROUTER_REPLICAS > 1) {
      new k8s.KubePodDisruptionBudget(this, 'pdb', {
        metadata: { name, namespace, labels },
        spec: { minAvailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
      });
    }
  }
}
