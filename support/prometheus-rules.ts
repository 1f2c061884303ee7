// Recording and alerting rules for the kit (the `spec.groups` of a PrometheusRule, also written as a plain
// Prometheus rule file for promtool). Recording rules pre-aggregate what the dashboards and alerts share;
// alerts cover the failures a player notices first: no free stream, long queue waits, a sidecar whose
// streamer never came up, TURN gone, and a GPU running out of memory or overheating.
// Annotations use only $labels (never $value) so their text is deterministic and unit-testable.
import { DCGM, KUBE_STATE, ROUTER, SIDECAR, TURN_RELAY } from '../common/metric-names.js';
import { capacityRules } from './capacity-rules.js';
import { resolveOptions, type MonitoringOptions } from './options.js';
import { serviceMatcher } from './adapter-rules.js';

export interface RecordingRule {
  record: string;
  expr: string;
}
export interface AlertingRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: 'warning' | 'critical' };
  annotations: { summary: string; description: string };
}
export interface RuleGroup {
  name: string;
  interval?: string;
  rules: (RecordingRule | AlertingRule)[];
}

/** Names of the recording rules, so dashboards and alerts refer to them without retyping. */
export const RECORDED = {
  available: `namespace_service:${SIDECAR.available}:sum`,
  allocated: `namespace_service:${SIDECAR.allocated}:sum`,
  draining: `namespace_service:${SIDECAR.draining}:sum`,
  streamersConnected: `namespace_service:${SIDECAR.streamerConnected}:sum`,
  players: `namespace_service:${SIDECAR.players}:sum`,
  queueLength: `namespace:${ROUTER.queueLength}:sum`,
  waitP95: `namespace:${ROUTER.waitSeconds}:p95_5m`,
  sessionsPerHour: `namespace:${SIDECAR.sessionsTotal}:increase1h`,
} as const;

export const ALERTS = {
  noFreeStream: 'PixelStreamNoFreeStream',
  queueWaitHigh: 'PixelStreamQueueWaitHigh',
  sidecarWithoutStreamer: 'PixelStreamSidecarWithoutStreamer',
  turnDown: 'PixelStreamTurnDown',
  turnDegraded: 'PixelStreamTurnDegraded',
  turnSecretMismatch: 'PixelStreamTurnSecretMismatch',
  gpuMemoryHigh: 'PixelStreamGpuMemoryHigh',
  gpuTemperatureHigh: 'PixelStreamGpuTemperatureHigh',
} as const;

const perService = (metric: string) => `sum by (namespace, service) (${metric})`;

function recordingRules(): RecordingRule[] {
  return [
    { record: RECORDED.available, expr: perService(SIDECAR.available) },
    { record: RECORDED.allocated, expr: perService(SIDECAR.allocated) },
    { record: RECORDED.draining, expr: perService(SIDECAR.draining) },
    { record: RECORDED.streamersConnected, expr: perService(SIDECAR.streamerConnected) },
    { record: RECORDED.players, expr: perService(SIDECAR.players) },
    { record: RECORDED.queueLength, expr: `sum by (namespace) (${ROUTER.queueLength})` },
    {
      record: RECORDED.waitP95,
      expr: `histogram_quantile(0.95, sum by (namespace, le) (rate(${ROUTER.waitSeconds}_bucket[5m])))`,
    },
    { record: RECORDED.sessionsPerHour, expr: `sum by (namespace) (increase(${SIDECAR.sessionsTotal}[1h]))` },
  ];
}

/** A warning when `level` stays above `threshold` for 5 minutes. */
function sustainedAbove(
  alert: string,
  level: string,
  threshold: number,
  annotations: AlertingRule['annotations'],
): AlertingRule {
  return { alert, expr: `${level} > ${threshold}`, for: '5m', labels: { severity: 'warning' }, annotations };
}

function alertingRules(o: MonitoringOptions): AlertingRule[] {
  const ds = `daemonset="${o.turnDaemonSet}"`;
  const gpuWhere =
    'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} (pod {{ $labels.namespace }}/{{ $labels.pod }})';
  const memoryUsedShare = `${DCGM.memoryUsed} / (${DCGM.memoryUsed} + ${DCGM.memoryFree})`;
  return [
    {
      alert: ALERTS.noFreeStream,
      expr: `${RECORDED.available}{${serviceMatcher(o)}} == 0`,
      for: `${o.noFreeStreamMinutes}m`,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'No free stream in {{ $labels.namespace }}',
        description: `Every stream in {{ $labels.namespace }} has been taken for ${o.noFreeStreamMinutes} minutes: new players queue. Check the HPA (maxReplicas) and GPU node capacity.`,
      },
    },
    sustainedAbove(ALERTS.queueWaitHigh, RECORDED.waitP95, o.queueWaitP95Seconds, {
      summary: 'Players wait too long for a stream in {{ $labels.namespace }}',
      description: `The 95th percentile of the router's queue wait in {{ $labels.namespace }} is above ${o.queueWaitP95Seconds} s. Raise STREAM_BUFFER or the HPA's scale-up rate.`,
    }),
    {
      alert: ALERTS.sidecarWithoutStreamer,
      expr: `(${SIDECAR.streamerConnected}{${serviceMatcher(o)}} == 0) unless on (namespace, pod) (${SIDECAR.draining} == 1)`,
      for: `${o.streamerMissingMinutes}m`,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Sidecar {{ $labels.namespace }}/{{ $labels.pod }} has no streamer',
        description: `No streamer has registered with the sidecar of {{ $labels.namespace }}/{{ $labels.pod }} for ${o.streamerMissingMinutes} minutes: the application crashed or never started. The pod holds a GPU and serves nobody.`,
      },
    },
    {
      alert: ALERTS.turnDown,
      expr: `(${KUBE_STATE.daemonsetReady}{${ds}} == 0) and on (namespace, daemonset) (${KUBE_STATE.daemonsetDesired}{${ds}} > 0)`,
      for: '2m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'TURN is down in {{ $labels.namespace }}',
        description:
          'No TURN server pod of DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} is ready: players behind strict NATs and firewalls cannot connect.',
      },
    },
    {
      alert: ALERTS.turnDegraded,
      expr: `${KUBE_STATE.daemonsetReady}{${ds}} < on (namespace, daemonset) ${KUBE_STATE.daemonsetDesired}{${ds}}`,
      for: '10m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Some TURN servers are not ready in {{ $labels.namespace }}',
        description:
          'DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} has fewer ready TURN pods than scheduled: players sent to the missing ones fail to relay.',
      },
    },
    {
      // Expired credentials happen (a tab left open for TURN_TTL_SECONDS); credentials that never matched
      // mean the sidecars and coturn hold different secrets, and every relayed player fails.
      alert: ALERTS.turnSecretMismatch,
      expr: `sum by (namespace) (increase(${TURN_RELAY.authRejectionsTotal}{reason="mismatch"}[5m])) > 0`,
      for: '5m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'TURN refuses credentials in {{ $labels.namespace }}',
        description:
          'coturn in {{ $labels.namespace }} has been refusing credentials that do not match its secret for 5 minutes: the sidecars and the TURN DaemonSet read different TURN secrets, so relayed players cannot connect.',
      },
    },
    sustainedAbove(ALERTS.gpuMemoryHigh, memoryUsedShare, o.gpuMemoryFraction, {
      summary: 'GPU memory nearly full on {{ $labels.Hostname }}',
      description: `${gpuWhere} has used more than ${Math.round(o.gpuMemoryFraction * 100)} % of its frame buffer for 5 minutes: the application may fail to allocate and the encoder to start.`,
    }),
    sustainedAbove(ALERTS.gpuTemperatureHigh, DCGM.temperature, o.gpuTemperatureCelsius, {
      summary: 'GPU running hot on {{ $labels.Hostname }}',
      description: `${gpuWhere} has been above ${o.gpuTemperatureCelsius} °C for 5 minutes: expect clock throttling and dropped frames.`,
    }),
  ];
}

/** `spec.groups` of the kit's PrometheusRule. */
export function prometheusRuleGroups(opts: Partial<MonitoringOptions> = {}): RuleGroup[] {
  const o = resolveOptions(opts);
  return [
    { name: 'pixelstream.records', rules: recordingRules() },
    { name: 'pixelstream.capacity', rules: capacityRules(o) },
    { name: 'pixelstream.alerts', rules: alertingRules(o) },
  ];
}
