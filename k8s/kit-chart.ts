// The whole kit as one chart: composition only; every object lives in its own construct. This is the one
// place the checked kit config is read: each construct gets the values it needs, in its own props.
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { gpuResourceName, parseGpuSharing } from '../common/gpu-sharing.js';
import { kitHpaBehavior } from '../common/hpa-behavior.js';
import {
  imageRef,
  parseGatewayParent,
  pullPolicy,
  pullSecretFor,
  runAsFor,
  type KitConfig,
  type KitImage,
} from '../common/kit-config.js';
import { parsePrewarmSchedule } from '../common/prewarm-schedule.js';
import { monitoringOptionsFromKit, serviceMetricQuery, type MonitoringOptions } from '../support/index.js';
import { Autoscaling, metricSource, type ScalingProps } from './autoscaling.js';
import { Balloons } from './balloon.js';
import type { EntryProps } from './entry.js';
import { PlayerGateway } from './gateway.js';
import type { GpuSharingProps } from './gpu-sharing.js';
import { PlayerIngress } from './ingress.js';
import { KedaScaledObject } from './keda.js';
import { Monitoring } from './monitoring.js';
import { APP_NAME, NAMES } from './names.js';
import { NetworkPolicies } from './network-policies.js';
import { kitPools, routerComponent } from './pools.js';
import type { ImageProps } from './containers.js';
import type { NodePool } from './pod-defaults.js';
import { ImagePrepull } from './prepull.js';
import { Router } from './router.js';
import { StreamerPool, type GpuPodRequests } from './streamer-pool.js';
import { Turn } from './turn.js';

export class KitChart extends Chart {
  constructor(scope: Construct, c: KitConfig) {
    // Names are set explicitly (the router, adapter and docs refer to them), so no hash suffixes.
    super(scope, APP_NAME, { disableResourceNameHashes: true });
    const namespace = c.NAMESPACE;
    const gpuPool: NodePool = { label: c.GPU_POOL_LABEL, taint: c.GPU_POOL_TAINT };
    const schedulerName = orNone(c.GPU_SCHEDULER_NAME);
    const logLevel = c.LOG_LEVEL;
    const sidecar = imageProps(c, 'SIDECAR');
    // The pause image has a pinned tag: pulled once, unless IMAGE_PULL_POLICY says otherwise for every image.
    const pausePullPolicy = c.IMAGE_PULL_POLICY === 'auto' ? 'IfNotPresent' : c.IMAGE_PULL_POLICY;
    const pools = kitPools(c);
    // Warm capacity (balloons, pre-pulled images) is the first pool's: the rendering pool, or the
    // processing pool when it runs alone.
    const [first] = pools;
    if (first === undefined) throw new Error('kitPools returned no pool');
    const requests = gpuPodRequests(c, first.gpus);
    const app = imageProps(c, first.image);
    const scaling: Omit<ScalingProps, 'minReplicas' | 'maxReplicas'> = {
      namespace,
      metric: metricSource(c.HPA_METRIC),
      target: c.HPA_TARGET,
      behavior: kitHpaBehavior(c),
    };

    // Construct ids: the rendering pool's are the ones it always had.
    for (const pool of pools) {
      const id = (base: string) => (pool.name === NAMES.streamer ? base : `${base}-${pool.name}`);
      const gpus = pool.gpus > 0;
      new StreamerPool(this, id('streamer'), {
        namespace,
        name: pool.name,
        component: pool.component,
        app: imageProps(c, pool.image),
        sidecar,
        // A pool without GPUs (PROCESS_GPUS_PER_POD=0) runs on the default nodes.
        nodePool: gpus ? gpuPool : undefined,
        schedulerName: gpus ? schedulerName : undefined,
        requests: gpuPodRequests(c, pool.gpus),
        memoryLimit: c.STREAMER_MEMORY_LIMIT === 'none' ? undefined : c.STREAMER_MEMORY_LIMIT,
        writablePaths: c.STREAMER_WRITABLE_PATHS,
        drainTimeoutSeconds: c.DRAIN_TIMEOUT_SECONDS,
        ice: {
          turnUrls: c.TURN_URLS,
          stunUrls: c.STUN_URLS,
          turnSecretName: c.TURN_SECRET_NAME,
          turnTtlSeconds: c.TURN_TTL_SECONDS,
          transportPolicy: c.ICE_TRANSPORT_POLICY,
        },
        streamerTokenSecretName: c.STREAMER_TOKEN_REQUIRED ? c.STREAMER_TOKEN_SECRET_NAME : undefined,
        routerTokenSecretName: c.ROUTER_ENABLED ? c.ROUTER_TOKEN_SECRET_NAME : undefined,
        logLevel,
        source: orNone(pool.source),
        codec: orNone(pool.codec),
        recording: pool.recordClaim === '' ? undefined : { claim: pool.recordClaim, path: c.RECORD_PATH },
      });
      if (c.ROUTER_ENABLED)
        new Router(this, id('router'), {
          namespace,
          name: pool.router,
          component: routerComponent(pool),
          poolComponent: pool.component,
          image: imageProps(c, 'ROUTER'),
          replicas: c.ROUTER_REPLICAS,
          tokenSecretName: c.ROUTER_TOKEN_SECRET_NAME,
          queueTimeoutSeconds: c.QUEUE_TIMEOUT_SECONDS,
          sessionCookieName: pool.sessionCookie,
          logLevel,
        });
      const poolScaling: ScalingProps = {
        ...scaling,
        name: pool.name,
        component: pool.component,
        minReplicas: pool.minReplicas,
        maxReplicas: pool.maxReplicas,
      };
      if (c.AUTOSCALER === 'keda')
        new KedaScaledObject(this, id('keda'), {
          ...poolScaling,
          prometheusUrl: c.KEDA_PROMETHEUS_URL ?? '', // always set: the key has a default
          query: serviceMetricQuery(scaling.metric.metric, namespace, monitoringOptions(c), pool.name),
          prewarmWindows: pool.prewarm ? prewarmWindows(c) : [],
        });
      else new Autoscaling(this, id('autoscaling'), poolScaling);
    }
    new Turn(this, 'turn', {
      namespace: c.TURN_NAMESPACE,
      kitNamespace: namespace,
      image: imageProps(c, 'TURN'),
      nodePool: { label: c.TURN_POOL_LABEL, taint: c.TURN_POOL_TAINT },
      listenPort: c.TURN_LISTEN_PORT,
      relayPorts: { min: c.TURN_MIN_PORT, max: c.TURN_MAX_PORT },
      exporterPort: c.TURN_EXPORTER_PORT,
      realm: c.TURN_REALM,
      secretName: c.TURN_SECRET_NAME,
      allowedPeerCidrs: c.TURN_ALLOWED_PEER_CIDRS,
      serviceCidr: c.TURN_SERVICE_CIDR,
      stunServer: orNone(c.TURN_STUN_SERVER),
      logLevel,
    });

    const entry: EntryProps = {
      namespace,
      host: c.INGRESS_HOST,
      routes: pools.map((p) =>
        c.ROUTER_ENABLED
          ? { pool: p.name, path: p.path, service: p.router, via: 'router' }
          : { pool: p.name, path: p.path, service: p.name, via: 'pool' },
      ),
      tls: c.TLS_ISSUER === 'none' ? undefined : { issuer: c.TLS_ISSUER, secretName: c.TLS_SECRET_NAME },
    };
    if (c.ENTRY === 'gateway') {
      const parent = c.GATEWAY_PARENT === '' ? undefined : parseGatewayParent(c.GATEWAY_PARENT);
      new PlayerGateway(this, 'gateway', {
        ...entry,
        gatewayClass: c.GATEWAY_CLASS,
        parent: parent && { ...parent, listener: orNone(c.GATEWAY_LISTENER) },
        timeoutSeconds: c.ENTRY_TIMEOUT_SECONDS === 'none' ? undefined : Number(c.ENTRY_TIMEOUT_SECONDS),
      });
    } else new PlayerIngress(this, 'ingress', { ...entry, ingressClass: c.INGRESS_CLASS });

    if (c.BALLOON_PODS > 0)
      new Balloons(this, 'balloon', {
        namespace,
        replicas: c.BALLOON_PODS,
        nodePool: gpuPool,
        requests,
        schedulerName,
        pausePullPolicy,
      });
    if (c.PREPULL_IMAGES)
      new ImagePrepull(this, 'prepull', { namespace, nodePool: gpuPool, app, sidecar, pausePullPolicy });
    const workloads = pools.map((p) => ({
      pool: { name: p.name, component: p.component },
      router: c.ROUTER_ENABLED ? { name: p.router, component: routerComponent(p) } : undefined,
    }));
    new NetworkPolicies(this, 'network', {
      namespace,
      monitoringNamespace: c.MONITORING_NAMESPACE,
      entryNamespace: c.ENTRY === 'gateway' ? c.GATEWAY_DATAPLANE_NAMESPACE : c.INGRESS_NAMESPACE,
      pools: workloads,
    });
    new Monitoring(this, 'monitoring', {
      namespace,
      turnNamespace: c.TURN_NAMESPACE,
      pools: workloads,
      prometheusRelease: orNone(c.PROMETHEUS_RELEASE),
      options: monitoringOptions(c),
    });
  }
}

/** An empty setting means none. */
function orNone(value: string): string | undefined {
  return value === '' ? undefined : value;
}

/** One of the kit's images as its pod runs it: reference, pull policy, user and pull Secret. */
function imageProps(c: KitConfig, which: KitImage): ImageProps {
  return {
    ref: imageRef(c, which),
    pullPolicy: pullPolicy(c, which),
    runAs: runAsFor(c, which),
    pullSecret: pullSecretFor(c, which),
  };
}

/** What one pool pod requests: CPU, memory and `gpus` of its GPU share under GPU_SHARING. */
function gpuPodRequests(c: KitConfig, gpus: number): GpuPodRequests {
  return {
    cpu: c.STREAMER_CPU_REQUEST,
    memory: c.STREAMER_MEMORY_REQUEST,
    gpuResource: gpuResourceName(gpuSharing(c), c.MIG_STRATEGY),
    gpus,
  };
}

/** PREWARM_SCHEDULE's windows (validated by the kit config). */
function prewarmWindows(c: KitConfig) {
  const windows = parsePrewarmSchedule(c.PREWARM_SCHEDULE);
  if ('problems' in windows) throw new Error(windows.problems.join('; '));
  return windows;
}

/** GPU_SHARING, parsed (validated by the kit config). */
function gpuSharing(c: KitConfig) {
  const sharing = parseGpuSharing(c.GPU_SHARING);
  if ('problem' in sharing) throw new Error(sharing.problem);
  return sharing;
}

/** The rules' options: the first pool is the one the dashboards show; every pool gets rules and metrics. */
export function monitoringOptions(c: KitConfig): Partial<MonitoringOptions> {
  const [first, ...others] = kitPools(c);
  return {
    ...monitoringOptionsFromKit(c),
    streamerService: first?.name,
    routerService: first?.router,
    otherPools: others.map((p) => ({ streamerService: p.name, routerService: p.router })),
    turnDaemonSet: NAMES.turn,
  };
}

/** The node-side chart's props; undefined when the config asks for nothing on the node side. */
export function gpuSharingProps(c: KitConfig): GpuSharingProps | undefined {
  if (c.GPU_SHARING === 'none' && c.GPU_SCHEDULER_NAME === '') return undefined;
  return {
    sharing: gpuSharing(c),
    migStrategy: c.MIG_STRATEGY,
    devicePluginConfigMap: { name: c.DEVICE_PLUGIN_CONFIGMAP, namespace: c.DEVICE_PLUGIN_NAMESPACE },
    packingScheduler:
      c.GPU_SCHEDULER_NAME === ''
        ? undefined
        : { name: c.GPU_SCHEDULER_NAME, resource: gpuPodRequests(c, c.GPUS_PER_POD).gpuResource },
  };
}
