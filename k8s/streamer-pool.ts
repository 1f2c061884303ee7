// A streamer pool (the rendering pool, or a processing pool: k8s/pools.ts): one pod = the GPU application
// plus its signalling sidecar. The HPA owns the replica count (no `replicas` here); a headless Service lists the pods for the router, the ingress (when
// there is no router), the adapter's Object metrics and Prometheus.
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DRAINED_PATH } from '../signalserver/drain-wait.js';
import { ALLOCATED_LABEL, SIDECAR_RBAC_RULES, STREAMER_COMPONENT } from '../common/pod-marks.js';
import { NAMES, PORTS, PORT_NAMES } from './names.js';
import { fieldEnv, plainEnv, secretEnv } from './env-vars.js';
import { healthProbes, httpListener, httpProbe, kitContainer, serviceResources } from './containers.js';
import type { ImageProps } from './containers.js';
import {
  poolPlacement,
  scratchVolume,
  servicePort,
  surgeRollout,
  workloadPod,
  type NodePool,
} from './pod-defaults.js';
import { componentIdentity } from './workload-identity.js';

/** What one streamer pod's GPU app asks the scheduler for (a balloon pod asks for the same). */
export interface GpuPodRequests {
  /** CPU request, a quantity (`2`, `3500m`). */
  readonly cpu: string;
  /** Memory request, a quantity (`4Gi`). */
  readonly memory: string;
  /** The extended resource of one GPU or GPU share (common/gpu-sharing.ts `gpuResourceName`). */
  readonly gpuResource: string;
  /** How many of `gpuResource` each pod gets; 0 = none. */
  readonly gpus: number;
}

/** How the sidecar lets players and streamers through NATs: the ICE servers it hands out and their policy. */
export interface SidecarIce {
  /** TURN URLs handed to players and streamers; none = no relay. */
  readonly turnUrls: readonly string[];
  /** STUN URLs handed to players and streamers. */
  readonly stunUrls: readonly string[];
  /** Secret (key `secret`) the TURN credentials are derived from. */
  readonly turnSecretName: string;
  /** Lifetime of the TURN credentials the sidecar issues. */
  readonly turnTtlSeconds: number;
  /** `all`, or `relay` to force every session through TURN. */
  readonly transportPolicy: string;
}

export interface StreamerPoolProps {
  /** Namespace of the pool's objects. */
  readonly namespace: string;
  /**
   * Name of the pool's Deployment, Service and ServiceAccount (and of its PDB, `<name>-allocated`).
   * @default 'streamer'
   */
  readonly name?: string;
  /**
   * The pods' `app.kubernetes.io/component`: what the Service, the router and the policies select.
   * @default 'streamer'
   */
  readonly component?: string;
  /** The GPU application's image (your app, or the reference streamer). */
  readonly app: ImageProps;
  /** The signalling sidecar's image. */
  readonly sidecar: ImageProps;
  /**
   * The GPU node pool the pods run on.
   * @default undefined (the cluster's default nodes: a pool without GPUs)
   */
  readonly nodePool?: NodePool;
  /** The GPU app's CPU, memory and GPU requests. */
  readonly requests: GpuPodRequests;
  /**
   * The GPU app's memory limit, a quantity.
   * @default undefined (no limit)
   */
  readonly memoryLimit?: string;
  /**
   * The GPU app's writable paths, an `emptyDir` each (its root file system is read-only).
   * @default ['/tmp']
   */
  readonly writablePaths?: readonly string[];
  /**
   * Scheduler of the pods (a packing profile, k8s/gpu-sharing.ts).
   * @default undefined (the cluster's default scheduler)
   */
  readonly schedulerName?: string;
  /**
   * Seconds a draining pod waits for its session to end; the pod's grace period adds a margin.
   * @default 3600
   */
  readonly drainTimeoutSeconds?: number;
  /** ICE servers and policy the sidecar hands out. */
  readonly ice: SidecarIce;
  /**
   * Secret (key `token`) the GPU app presents on the sidecar's streamer port; both containers get it.
   * @default undefined (no token: for apps that cannot send one, such as Unreal Engine 4.27)
   */
  readonly streamerTokenSecretName?: string;
  /**
   * Secret (key `token`) of the session router's reservation API.
   * @default undefined (no router: the sidecar takes players directly)
   */
  readonly routerTokenSecretName?: string;
  /**
   * LOG_LEVEL of both containers.
   * @default the programs' own default (`info`)
   */
  readonly logLevel?: string;
  /**
   * The reference streamer's STREAM_SOURCE; `process:<function>` makes a processing pool.
   * @default undefined (the app's own source)
   */
  readonly source?: string;
  /**
   * The reference streamer's STREAM_CODEC (a processing pool's cameras are sent in it too).
   * @default undefined (the app's own codec)
   */
  readonly codec?: string;
  /**
   * A PersistentVolumeClaim mounted at `path`, where `process:record` writes (RECORD_DIR).
   * @default undefined (nothing recorded)
   */
  readonly recording?: { readonly claim: string; readonly path: string };
}

/** Seconds the pod gets beyond the sidecar's drain timeout to close sockets and exit. */
export const TERMINATION_MARGIN_SECONDS = 30;

/** Where the sidecar (and only the sidecar) finds its API token: the GPU app gets no credentials. */
const TOKEN_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The requests of a GPU pod; extended resources go in the limits, where the limit is the request. */
export function gpuPodResources(r: GpuPodRequests, memoryLimit?: string): k8s.ResourceRequirements {
  const memory: Record<string, k8s.Quantity> =
    memoryLimit === undefined ? {} : { memory: k8s.Quantity.fromString(memoryLimit) };
  return {
    requests: { cpu: k8s.Quantity.fromString(r.cpu), memory: k8s.Quantity.fromString(r.memory) },
    // A Quantity, never a bare number (it would serialize as null).
    limits: { ...(r.gpus > 0 ? { [r.gpuResource]: k8s.Quantity.fromNumber(r.gpus) } : {}), ...memory },
  };
}

/**
 * Prefer nodes that already run streamer pods, so new pods fill the fullest GPU node first and scale-down
 * can empty whole nodes. A preference, never a requirement: an empty node is still used when none has room.
 */
export function packingAffinity(selector: Record<string, string>): k8s.Affinity {
  return {
    podAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            labelSelector: { matchLabels: selector },
            topologyKey: 'kubernetes.io/hostname',
          },
        },
      ],
    },
  };
}

export class StreamerPool extends Construct {
  readonly deployment: k8s.KubeDeployment;
  readonly service: k8s.KubeService;

  constructor(scope: Construct, id: string, props: StreamerPoolProps) {
    super(scope, id);
    const { namespace, app: appImage, sidecar: sidecarImage, ice, recording } = props;
    const { name = NAMES.streamer, component = STREAMER_COMPONENT, drainTimeoutSeconds = 3600 } = props;

    // The token is mounted into the sidecar container only, below: the GPU app gets no credentials.
    const { identity, labels, selector } = componentIdentity(this, component, {
      name,
      namespace,
      rules: SIDECAR_RBAC_RULES,
    });

    // Both containers get the token, or neither (no token Secret: UE 4.27 cannot send one).
    const streamerToken =
      props.streamerTokenSecretName === undefined
        ? []
        : [secretEnv('STREAMER_TOKEN', props.streamerTokenSecretName, 'token')];
    const listener = httpListener('PLAYER', PORT_NAMES.player, PORTS.player);
    const sidecar: k8s.Container = {
      ...kitContainer('signalserver', sidecarImage, listener),
      env: [
        ...plainEnv({
          ...listener.env,
          STREAMER_PORT: PORTS.streamer,
          STREAMER_HOST: '127.0.0.1', // the GPU app shares the pod's loopback; nothing else may reach it
          SFU_PORT: 0,
          MAX_PLAYERS_PER_STREAMER: 1,
          TURN_URLS: ice.turnUrls.join(','),
          STUN_URLS: ice.stunUrls.join(','),
          TURN_TTL_SECONDS: ice.turnTtlSeconds,
          ICE_TRANSPORT_POLICY: ice.transportPolicy,
          DRAIN_TIMEOUT_SECONDS: drainTimeoutSeconds,
          LOG_LEVEL: props.logLevel,
        }),
        secretEnv('TURN_SECRET', ice.turnSecretName, 'secret'),
        ...streamerToken,
        ...(props.routerTokenSecretName === undefined
          ? []
          : [secretEnv('ROUTER_TOKEN', props.routerTokenSecretName, 'token')]),
        fieldEnv('POD_NAME', 'metadata.name'),
        fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
        // The pod patcher weighs its deletion cost by how full this node is (common/pod-marks.ts).
        fieldEnv('NODE_NAME', 'spec.nodeName'),
      ],
      ...healthProbes(httpProbe('/healthz', PORT_NAMES.player, 10, 3), {
        ...httpProbe('/readyz', PORT_NAMES.player, 5, 2),
        failureThreshold: 2,
      }),
      resources: serviceResources('100m', '512Mi'),
      volumeMounts: [
        { name: 'sidecar-tmp', mountPath: '/tmp' },
        { name: 'api-token', mountPath: TOKEN_DIR, readOnly: true },
      ],
    };

    // The GPU app's root file system is read-only too; it writes only to its writable paths.
    const writable = (props.writablePaths ?? ['/tmp']).map((path, i) => ({
      name: `app-writable-${i}`,
      path,
    }));
    const app: k8s.Container = {
      ...kitContainer('streamer', appImage),
      env: [
        ...plainEnv({
          STREAMER_URL: `ws://127.0.0.1:${PORTS.streamer}`,
          // Video encode (NVENC) and display need more than the default compute,utility capabilities.
          NVIDIA_DRIVER_CAPABILITIES: 'all',
          LOG_LEVEL: props.logLevel,
          STREAM_SOURCE: props.source,
          STREAM_CODEC: props.codec,
          RECORD_DIR: recording?.path,
        }),
        ...streamerToken,
      ],
      resources: gpuPodResources(props.requests, props.memoryLimit),
      lifecycle: {
        // Every container's preStop runs when the pod terminates, and each container gets SIGTERM once its
        // own hook returns. The sidecar has no hook: SIGTERM starts its drain at once. The app's hook is
        // an HTTP request the sidecar holds until the drain leaves no session (or the sidecar closes at
        // the drain timeout), so the app is never stopped mid-session and its image needs no shell tools.
        // A number, not the port's name: the kubelet resolves names among the hook's own container's ports.
        preStop: { httpGet: { path: DRAINED_PATH, port: k8s.IntOrString.fromNumber(PORTS.metrics) } },
      },
      volumeMounts: [
        ...writable.map((w) => ({ name: w.name, mountPath: w.path })),
        ...(recording === undefined ? [] : [{ name: 'recordings', mountPath: recording.path }]),
      ],
    };

    this.deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name, namespace, labels },
      spec: {
        // No `replicas`: the HorizontalPodAutoscaler owns the count, and kubectl apply must not reset it.
        selector: { matchLabels: selector },
        strategy: surgeRollout(),
        template: {
          metadata: { labels: { ...labels, [ALLOCATED_LABEL]: 'false' } },
          spec: {
            // The projected API token is group-readable: the volumes' group is the sidecar's.
            ...workloadPod(identity, [sidecarImage, appImage], sidecarImage.runAs.gid),
            terminationGracePeriodSeconds: drainTimeoutSeconds + TERMINATION_MARGIN_SECONDS,
            ...(props.schedulerName === undefined ? {} : { schedulerName: props.schedulerName }),
            ...(props.nodePool === undefined ? {} : poolPlacement(props.nodePool)),
            // Packed on whichever nodes they run (a pool without GPUs too).
            affinity: packingAffinity(selector),
            containers: [app, sidecar],
            volumes: [
              scratchVolume('sidecar-tmp'),
              ...writable.map((w) => ({ name: w.name, emptyDir: {} })),
              ...(recording === undefined
                ? []
                : [{ name: 'recordings', persistentVolumeClaim: { claimName: recording.claim } }]),
              {
                // The service-account token, CA and namespace, projected by hand so only the sidecar sees them.
                name: 'api-token',
                projected: {
                  defaultMode: 0o440,
                  sources: [
                    { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
                    { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
                    {
                      downwardApi: {
                        items: [
                          {
                            path: 'namespace',
                            fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' },
                          },
                        ],
                      },
                    },
                  ],
                },
              },
            ],
          },
        },
      },
    });

    this.service = new k8s.KubeService(this, 'service', {
      metadata: { name, namespace, labels },
      spec: {
        clusterIp: 'None', // headless: one DNS record per ready pod, no load-balancing of sessions
        selector,
        ports: [servicePort(PORT_NAMES.player, PORTS.player), servicePort(PORT_NAMES.metrics, PORTS.metrics)],
      },
    });

    // Voluntary evictions (kubectl drain, node upgrades) may take idle pods but never one with a session:
    // the pod patcher keeps the allocated label current, so this budget covers exactly the live sessions.
    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: `${name}-allocated`, namespace, labels },
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(0),
        selector: { matchLabels: { ...selector, [ALLOCATED_LABEL]: 'true' } },
      },
    });
  }
}
