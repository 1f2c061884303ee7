// A pool's session router: stateless replicas that watch the pool's pods, reserve a free one at its sidecar
// and pipe the player's WebSocket there. Reads pods in its namespace and nothing else. Each pool has its
// own (k8s/pools.ts), so a router never has to choose between pools.
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ROUTER_COMPONENT, ROUTER_RBAC_RULES, STREAMER_COMPONENT } from '../common/pod-marks.js';
import { NAMES, PORTS, PORT_NAMES, selectorLabels, selectorString } from './names.js';
import { fieldEnv, plainEnv, secretEnv } from './env-vars.js';
import { healthProbes, httpListener, httpProbe, kitContainer, serviceResources } from './containers.js';
import type { ImageProps } from './containers.js';
import { scratchVolume, servicePort, surgeRollout, workloadPod } from './pod-defaults.js';
import { componentIdentity } from './workload-identity.js';

/** After SIGTERM the router stays reachable this long, until the ingress has dropped it (SHUTDOWN_DELAY_SECONDS). */
const SHUTDOWN_DELAY_SECONDS = 5;
/** …then piped players keep playing at most this long before they resume elsewhere (SHUTDOWN_DRAIN_SECONDS). */
const SHUTDOWN_DRAIN_SECONDS = 20;
/** Room for the process to close its sockets and exit before the kubelet's SIGKILL. */
const SHUTDOWN_MARGIN_SECONDS = 5;

export interface RouterProps {
  /** Namespace of the router's objects; it discovers the pool's pods in this namespace. */
  readonly namespace: string;
  /**
   * Name of its Deployment, Service, ServiceAccount and PDB.
   * @default 'router'
   */
  readonly name?: string;
  /**
   * The router pods' `app.kubernetes.io/component`.
   * @default 'router'
   */
  readonly component?: string;
  /**
   * The `app.kubernetes.io/component` of the pool's pods it routes to (its discovery selector).
   * @default 'streamer'
   */
  readonly poolComponent?: string;
  /** The router's image. */
  readonly image: ImageProps;
  /**
   * Router replicas; above 1 they are spread over nodes and a PodDisruptionBudget keeps one up.
   * @default 2
   */
  readonly replicas?: number;
  /** Secret (key `token`) the router shares with the sidecars for the reservation API. */
  readonly tokenSecretName: string;
  /**
   * Longest a player waits in the router's queue (QUEUE_TIMEOUT_SECONDS).
   * @default the router's own default
   */
  readonly queueTimeoutSeconds?: number;
  /**
   * The resume cookie's name (SESSION_COOKIE_NAME): routers of different pools on one host need their own.
   * @default the router's own default (`pxs_session`)
   */
  readonly sessionCookieName?: string;
  /**
   * The router's LOG_LEVEL.
   * @default the router's own default (`info`)
   */
  readonly logLevel?: string;
}

export class Router extends Construct {
  readonly deployment: k8s.KubeDeployment;
  readonly service: k8s.KubeService;

  constructor(scope: Construct, id: string, props: RouterProps) {
    super(scope, id);
    const { namespace, image, name = NAMES.router, component = ROUTER_COMPONENT, replicas = 2 } = props;
    const { identity, labels, selector } = componentIdentity(this, component, {
      name,
      namespace,
      rules: ROUTER_RBAC_RULES,
      automountToken: true,
    });

    const listener = httpListener('ROUTER', PORT_NAMES.http, PORTS.routerHttp);
    const probe = (path: string) => httpProbe(path, PORT_NAMES.http, 5, 2);
    this.deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name, namespace, labels },
      spec: {
        replicas,
        selector: { matchLabels: selector },
        strategy: surgeRollout(),
        template: {
          metadata: { labels },
          spec: {
            ...workloadPod(identity, [image], image.runAs.gid),
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
                ...kitContainer('router', image, listener),
                env: [
                  ...plainEnv({
                    ...listener.env,
                    DISCOVERY: 'kubernetes',
                    POD_SELECTOR: selectorString(selectorLabels(props.poolComponent ?? STREAMER_COMPONENT)),
                    SIDECAR_PLAYER_PORT: PORTS.player,
                    QUEUE_TIMEOUT_SECONDS: props.queueTimeoutSeconds,
                    LOG_LEVEL: props.logLevel,
                    SHUTDOWN_DELAY_SECONDS,
                    SHUTDOWN_DRAIN_SECONDS,
                    SESSION_COOKIE_NAME: props.sessionCookieName,
                  }),
                  secretEnv('ROUTER_TOKEN', props.tokenSecretName, 'token'),
                  fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
                ],
                ...healthProbes(probe('/healthz'), { ...probe('/readyz'), failureThreshold: 2 }),
                resources: serviceResources('100m', '512Mi'),
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [scratchVolume('tmp')],
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
          servicePort(PORT_NAMES.http, PORTS.routerService),
          servicePort(PORT_NAMES.metrics, PORTS.metrics),
        ],
      },
    });

    if (replicas > 1) {
      new k8s.KubePodDisruptionBudget(this, 'pdb', {
        metadata: { name, namespace, labels },
        spec: { minAvailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
      });
    }
  }
}
