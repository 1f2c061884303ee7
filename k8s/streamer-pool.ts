// A streamer pool (k8s/pools.ts: the rendering pool, or a processing pool): one pod = the GPU application
// plus its signalling sidecar. The HPA owns the
// replica count (no `replicas` here); a headless Service lists the pods for the router, the ingress (when
// there is no router), the adapter's Object metrics and Prometheus.
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { gpuResourceName, parseGpuSharing } from '../common/gpu-sharing.js';
import { pullSecretFor, runAsFor, type KitConfig } from '../common/kit-config.js';
import { DRAINED_PATH } from '../signalserver/drain-wait.js';
import { ALLOCATED_LABEL, SIDECAR_RBAC_RULES } from '../common/pod-marks.js';
import { PORTS, PORT_NAMES, commonLabels, selectorLabels } from './names.js';
import type { Pool } from './pools.js';
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

export interface StreamerPoolProps {
  readonly config: KitConfig;
  /** Which pool: names, labels, image, source, recording claim, GPUs. */
  readonly pool: Pool;
}

/** Seconds the pod gets beyond the sidecar's drain timeout to close sockets and exit. */
export const TERMINATION_MARGIN_SECONDS = 30;

/** Where the sidecar (and only the sidecar) finds its API token: the GPU app gets no credentials. */
const TOKEN_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The extended resource each streamer pod requests under GPU_SHARING (validated by the kit config). */
export function gpuResource(c: KitConfig): string {
  const sharing = parseGpuSharing(c.GPU_SHARING);
  if ('problem' in sharing) throw new Error(sharing.problem);
  return gpuResourceName(sharing, c.MIG_STRATEGY);
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

/** A pool's streamer settings: its source, and where `process:record` writes. */
export function processingEnv(c: KitConfig, pool: Pool): Record<string, string> {
  return {
    ...(pool.source === '' ? {} : { STREAM_SOURCE: pool.source }),
    ...(pool.recordClaim === '' ? {} : { RECORD_DIR: c.RECORD_PATH }),
  };
}

export class StreamerPool extends Construct {
  readonly deployment: k8s.KubeDeployment;
  readonly service: k8s.KubeService;

  constructor(scope: Construct, id: string, props: StreamerPoolProps) {
    super(scope, id);
    const { config: c, pool } = props;
    const namespace = c.NAMESPACE;
    const labels = commonLabels(pool.component);
    const selector = selectorLabels(pool.component);

    // The token is mounted into the sidecar container only, below: the GPU app gets no credentials.
    const identity = new WorkloadIdentity(this, 'identity', {
      name: pool.name,
      namespace,
      labels,
      rules: SIDECAR_RBAC_RULES,
    });

    // Both containers get the token, or neither (STREAMER_TOKEN_REQUIRED=false: UE 4.27 cannot send one).
    const streamerToken = c.STREAMER_TOKEN_REQUIRED
      ? [secretEnv('STREAMER_TOKEN', c.STREAMER_TOKEN_SECRET_NAME, 'token')]
      : [];
    const sidecar: k8s.Container = {
      name: 'signalserver',
      ...imageOf(c, 'SIDECAR'),
      ports: [
        { name: PORT_NAMES.player, containerPort: PORTS.player, protocol: 'TCP' },
        { name: PORT_NAMES.metrics, containerPort: PORTS.metrics, protocol: 'TCP' },
      ],
      env: [
        ...plainEnv({
          PLAYER_PORT: PORTS.player,
          PLAYER_HOST: '0.0.0.0',
          STREAMER_PORT: PORTS.streamer,
          STREAMER_HOST: '127.0.0.1', // the GPU app shares the pod's loopback; nothing else may reach it
          SFU_PORT: 0,
          METRICS_PORT: PORTS.metrics,
          MAX_PLAYERS_PER_STREAMER: 1,
          TURN_URLS: c.TURN_URLS.join(','),
          STUN_URLS: c.STUN_URLS.join(','),
          TURN_TTL_SECONDS: c.TURN_TTL_SECONDS,
          ICE_TRANSPORT_POLICY: c.ICE_TRANSPORT_POLICY,
          DRAIN_TIMEOUT_SECONDS: c.DRAIN_TIMEOUT_SECONDS,
          LOG_LEVEL: c.LOG_LEVEL,
        }),
        secretEnv('TURN_SECRET', c.TURN_SECRET_NAME, 'secret'),
        ...streamerToken,
        ...(c.ROUTER_ENABLED ? [secretEnv('ROUTER_TOKEN', c.ROUTER_TOKEN_SECRET_NAME, 'token')] : []),
        fieldEnv('POD_NAME', 'metadata.name'),
        fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
        // The pod patcher weighs its deletion cost by how full this node is (common/pod-marks.ts).
        fieldEnv('NODE_NAME', 'spec.nodeName'),
      ],
      startupProbe: startupProbe({
        httpGet: { path: '/healthz', port: k8s.IntOrString.fromString(PORT_NAMES.player) },
        timeoutSeconds: 3,
      }),
      livenessProbe: {
        httpGet: { path: '/healthz', port: k8s.IntOrString.fromString(PORT_NAMES.player) },
        periodSeconds: 10,
        timeoutSeconds: 3,
        failureThreshold: 3,
      },
      readinessProbe: {
        httpGet: { path: '/readyz', port: k8s.IntOrString.fromString(PORT_NAMES.player) },
        periodSeconds: 5,
        timeoutSeconds: 2,
        failureThreshold: 2,
      },
      resources: {
        requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('128Mi') },
        limits: { memory: k8s.Quantity.fromString('512Mi') },
      },
      securityContext: containerSecurity(c, 'SIDECAR'),
      volumeMounts: [
        { name: 'sidecar-tmp', mountPath: '/tmp' },
        { name: 'api-token', mountPath: TOKEN_DIR, readOnly: true },
      ],
    };

    // The GPU app's root file system is read-only too; it writes only where STREAMER_WRITABLE_PATHS says.
    const writable = c.STREAMER_WRITABLE_PATHS.map((path, i) => ({ name: `app-writable-${i}`, path }));
    const memoryLimit: Record<string, k8s.Quantity> =
      c.STREAMER_MEMORY_LIMIT === 'none' ? {} : { memory: k8s.Quantity.fromString(c.STREAMER_MEMORY_LIMIT) };
    const app: k8s.Container = {
      name: 'streamer',
      ...imageOf(c, pool.image),
      env: [
        ...plainEnv({
          STREAMER_URL: `ws://127.0.0.1:${PORTS.streamer}`,
          // Video encode (NVENC) and display need more than the default compute,utility capabilities.
          NVIDIA_DRIVER_CAPABILITIES: 'all',
          LOG_LEVEL: c.LOG_LEVEL,
          ...processingEnv(c, pool),
        }),
        ...streamerToken,
      ],
      resources: {
        requests: {
          cpu: k8s.Quantity.fromString(c.STREAMER_CPU_REQUEST),
          memory: k8s.Quantity.fromString(c.STREAMER_MEMORY_REQUEST),
        },
        // Extended resources: the limit is the request. A Quantity, never a bare number (it would serialize as null).
        limits: {
          ...(pool.gpus > 0 ? { [gpuResource(c)]: k8s.Quantity.fromNumber(pool.gpus) } : {}),
          ...memoryLimit,
        },
      },
      lifecycle: {
        // Every container's preStop runs when the pod terminates, and each container gets SIGTERM once its
        // own hook returns. The sidecar has no hook: SIGTERM starts its drain at once. The app's hook is
        // an HTTP request the sidecar holds until the drain leaves no session (or the sidecar closes at
        // the drain timeout), so the app is never stopped mid-session and its image needs no shell tools.
        // A number, not the port's name: the kubelet resolves names among the hook's own container's ports.
        preStop: { httpGet: { path: DRAINED_PATH, port: k8s.IntOrString.fromNumber(PORTS.metrics) } },
      },
      securityContext: containerSecurity(c, pool.image),
      volumeMounts: [
        ...writable.map((w) => ({ name: w.name, mountPath: w.path })),
        ...(pool.recordClaim === '' ? [] : [{ name: 'recordings', mountPath: c.RECORD_PATH }]),
      ],
    };

    this.deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: pool.name, namespace, labels },
      spec: {
        // No `replicas`: the HorizontalPodAutoscaler owns the count, and kubectl apply must not reset it.
        selector: { matchLabels: selector },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: {
            maxSurge: k8s.IntOrString.fromNumber(1),
            maxUnavailable: k8s.IntOrString.fromNumber(0),
          },
        },
        template: {
          metadata: { labels: { ...labels, [ALLOCATED_LABEL]: 'false' } },
          spec: {
            serviceAccountName: identity.serviceAccountName,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: c.DRAIN_TIMEOUT_SECONDS + TERMINATION_MARGIN_SECONDS,
            // A pool without GPUs (PROCESS_GPUS_PER_POD=0) runs on the default nodes, packed all the same.
            ...(pool.gpus === 0
              ? { affinity: packingAffinity(selector) }
              : {
                  ...(c.GPU_SCHEDULER_NAME === '' ? {} : { schedulerName: c.GPU_SCHEDULER_NAME }),
                  nodeSelector: poolSelector(c.GPU_POOL_LABEL),
                  affinity: packingAffinity(selector),
                  tolerations: poolTolerations(c.GPU_POOL_TAINT),
                }),
            imagePullSecrets: pullSecrets(pullSecretFor(c, 'SIDECAR'), pullSecretFor(c, pool.image)),
            // The projected API token is group-readable: the volumes' group is the sidecar's.
            securityContext: podSecurity(runAsFor(c, 'SIDECAR').gid),
            containers: [app, sidecar],
            volumes: [
              { name: 'sidecar-tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
              ...writable.map((w) => ({ name: w.name, emptyDir: {} })),
              ...(pool.recordClaim === ''
                ? []
                : [{ name: 'recordings', persistentVolumeClaim: { claimName: pool.recordClaim } }]),
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
      metadata: { name: pool.name, namespace, labels },
      spec: {
        clusterIp: 'None', // headless: one DNS record per ready pod, no load-balancing of sessions
        selector,
        ports: [
          {
            name: PORT_NAMES.player,
            port: PORTS.player,
            targetPort: k8s.IntOrString.fromString(PORT_NAMES.player),
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

    // Voluntary evictions (kubectl drain, node upgrades) may take idle pods but never one with a session:
    // the pod patcher keeps the allocated label current, so this budget covers exactly the live sessions.
    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: `${pool.name}-allocated`, namespace, labels },
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(0),
        selector: { matchLabels: { ...selector, [ALLOCATED_LABEL]: 'true' } },
      },
    });
  }
}
