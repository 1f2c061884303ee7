// The few deployment facts the monitoring rules depend on, with their defaults in one place. They match the
// Kubernetes manifests (Service names, HPA name, TURN DaemonSet name) and the kit config (STREAM_BUFFER).
import type { KitConfig } from '../common/kit-config.js';
import { parsePrewarmSchedule, type PrewarmWindow } from '../common/prewarm-schedule.js';
import { CodedError } from '../common/coded-error.js';

export interface MonitoringOptions {
  /** Namespace the kit runs in: the buffer and schedule rules are recorded for its streamer Service. @default 'pixelstream' */
  namespace: string;
  /** STREAM_BUFFER_MODE: a fixed buffer, or the adaptive formula (warm-capacity.ts). @default 'adaptive' */
  bufferMode: 'fixed' | 'adaptive';
  /** Free streams the `pixelstream_demand` metric keeps in reserve with a fixed buffer (STREAM_BUFFER). @default 1 */
  buffer: number;
  /** Bounds of the adaptive buffer (STREAM_BUFFER_MIN / _MAX). @default 1, 3 */
  bufferMin: number;
  bufferMax: number;
  /** PREWARM_SCHEDULE: minimum streams per daily UTC window. @default [] */
  schedule: readonly PrewarmWindow[];
  /** Taint key of the GPU pool: node provisioning is measured on nodes carrying it. @default all nodes */
  gpuTaintKey: string | undefined;
  /** Service whose pods run the sidecar; the Object metrics are described on it. @default 'streamer' */
  streamerService: string;
  /** Service in front of the session-router replicas. @default 'router' */
  routerService: string;
  /**
   * Further pools (a processing pool beside the rendering one), each a streamer Service with its own router:
   * they get the same adapter metrics, capacity and alert rules; the dashboards show the first pool. @default []
   */
  otherPools: readonly PoolServices[];
  /** DaemonSet running coturn, watched through kube-state-metrics. @default 'turn' */
  turnDaemonSet: string;
  /** Minutes with zero free streams before the alert fires. @default 5 */
  noFreeStreamMinutes: number;
  /** p95 of the router's queue wait that counts as too slow, in seconds. @default 60 */
  queueWaitP95Seconds: number;
  /** Minutes a sidecar may run without its streamer (app start-up included). @default 5 */
  streamerMissingMinutes: number;
  /** GPU frame-buffer use (fraction of total) that counts as high. @default 0.9 */
  gpuMemoryFraction: number;
  /** GPU temperature in °C that counts as high. @default 85 */
  gpuTemperatureCelsius: number;
}

/** One pool's Services: its pods' (the Object metrics are described on it) and its router's. */
export interface PoolServices {
  streamerService: string;
  routerService: string;
}

/** The processing pool's Services as the k8s app names them (k8s/pools.ts), beside the rendering pool's. */
export const PROCESSING_POOL: Readonly<PoolServices> = Object.freeze({
  streamerService: 'processor',
  routerService: 'router-processor',
});

/** Every pool the rules cover, the first (streamerService, routerService) included. */
export function poolServices(o: MonitoringOptions): PoolServices[] {
  return [{ streamerService: o.streamerService, routerService: o.routerService }, ...o.otherPools];
}

export const DEFAULT_MONITORING_OPTIONS: Readonly<MonitoringOptions> = Object.freeze({
  namespace: 'pixelstream',
  bufferMode: 'adaptive',
  buffer: 1,
  bufferMin: 1,
  bufferMax: 3,
  schedule: [],
  gpuTaintKey: 'nvidia.com/gpu',
  streamerService: 'streamer',
  routerService: 'router',
  otherPools: [],
  turnDaemonSet: 'turn',
  noFreeStreamMinutes: 5,
  queueWaitP95Seconds: 60,
  streamerMissingMinutes: 5,
  gpuMemoryFraction: 0.9,
  gpuTemperatureCelsius: 85,
});

/** The options a deployment's kit config decides; the rest keep their defaults (the k8s app's names). */
export function monitoringOptionsFromKit(
  kit: Pick<
    KitConfig,
    | 'NAMESPACE'
    | 'STREAM_BUFFER_MODE'
    | 'STREAM_BUFFER'
    | 'STREAM_BUFFER_MIN'
    | 'STREAM_BUFFER_MAX'
    | 'PREWARM_SCHEDULE'
    | 'GPU_POOL_TAINT'
  >,
): Partial<MonitoringOptions> {
  const schedule = parsePrewarmSchedule(kit.PREWARM_SCHEDULE);
  if ('problems' in schedule) throw new MonitoringOptionsError(schedule.problems);
  const taintKey = kit.GPU_POOL_TAINT === 'none' ? undefined : kit.GPU_POOL_TAINT.split(/[=:]/, 1)[0];
  return {
    namespace: kit.NAMESPACE,
    bufferMode: kit.STREAM_BUFFER_MODE,
    buffer: kit.STREAM_BUFFER,
    bufferMin: kit.STREAM_BUFFER_MIN,
    bufferMax: kit.STREAM_BUFFER_MAX,
    schedule,
    gpuTaintKey: taintKey,
  };
}

/** Fills defaults and rejects values no rule could use, listing every problem at once. */
export function resolveOptions(opts: Partial<MonitoringOptions> = {}): MonitoringOptions {
  const o: MonitoringOptions = { ...DEFAULT_MONITORING_OPTIONS };
  for (const [k, v] of Object.entries(opts))
    if (v !== undefined || k === 'gpuTaintKey') (o as unknown as Record<string, unknown>)[k] = v;
  const problems: string[] = [];
  for (const key of ['buffer', 'bufferMin', 'bufferMax'] as const)
    if (!Number.isInteger(o[key]) || o[key] < 0)
      problems.push(`${key} must be a whole number ≥ 0 (got ${o[key]})`);
  if (o.bufferMin > o.bufferMax) problems.push(`bufferMin ${o.bufferMin} must be ≤ bufferMax ${o.bufferMax}`);
  if (o.bufferMode !== 'fixed' && o.bufferMode !== 'adaptive')
    problems.push(`bufferMode must be fixed or adaptive (got ${JSON.stringify(o.bufferMode)})`);
  if (o.gpuTaintKey !== undefined && !/^[A-Za-z0-9./_-]+$/.test(o.gpuTaintKey))
    problems.push(`gpuTaintKey must be a label key (got ${JSON.stringify(o.gpuTaintKey)})`);
  // Kubernetes object names (RFC 1123 labels): also keeps quotes and braces out of the PromQL we emit.
  const dnsLabel = (key: string, value: string) => {
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(value))
      problems.push(`${key} must be a DNS label (got ${JSON.stringify(value)})`);
  };
  for (const key of ['namespace', 'streamerService', 'routerService', 'turnDaemonSet'] as const)
    dnsLabel(key, o[key]);
  o.otherPools.forEach((p, i) => {
    dnsLabel(`otherPools[${i}].streamerService`, p.streamerService);
    dnsLabel(`otherPools[${i}].routerService`, p.routerService);
  });
  for (const key of [
    'noFreeStreamMinutes',
    'queueWaitP95Seconds',
    'streamerMissingMinutes',
    'gpuTemperatureCelsius',
  ] as const) {
    if (!(o[key] > 0) || !Number.isFinite(o[key])) problems.push(`${key} must be > 0 (got ${o[key]})`);
  }
  if (!(o.gpuMemoryFraction > 0 && o.gpuMemoryFraction <= 1))
    problems.push(`gpuMemoryFraction must be in (0, 1] (got ${o.gpuMemoryFraction})`);
  if (problems.length) throw new MonitoringOptionsError(problems);
  return o;
}

/** Thrown by every generator on bad options; `code` is stable. */
export class MonitoringOptionsError extends CodedError<'MONITORING_OPTIONS_INVALID'> {
  constructor(readonly problems: string[]) {
    super('MONITORING_OPTIONS_INVALID', `invalid monitoring options:\n  - ${problems.join('\n  - ')}`);
  }
}
