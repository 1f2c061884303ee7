// The recording rules that carry the kit's scaling knobs into the cluster, so what `.env` says is what the
// autoscaler sees: the warm buffer (fixed STREAM_BUFFER, or the adaptive Little's-law formula of
// warm-capacity.ts over measured arrivals, pod start and node start) and the scheduled minimum
// (PREWARM_SCHEDULE). The adapter's pixelstream_demand and the KEDA ScaledObject both read these two
// series; the measured inputs are recorded on their own too, for dashboards and for checking the formula.
//
// Node provisioning comes from kube-state-metrics: when a node's Ready condition turns true, the rule
// records the node's age (now − kube_node_created) once. kube_node_created is when the kubelet registered
// the Node, so the VM's boot before it is not in this figure; the pod histogram does include it for pods
// that waited for a node. Nodes older than an hour are ignored, so a Prometheus restart does not record the
// age of every long-running node as a provisioning time.
import { KUBE_STATE, ROUTER, SIDECAR } from '../common/metric-names.js';
import type { PrewarmWindow } from '../common/prewarm-schedule.js';
import type { RecordingRule } from './prometheus-rules.js';
import { poolServices, type MonitoringOptions } from './options.js';
import { WARM_FALLBACK, timeToCapacityPromQL, warmBufferPromQL } from './warm-capacity.js';

export const CAPACITY_RECORDED = {
  arrivalRate: `namespace:${ROUTER.arrivalsTotal.replace(/_total$/, '')}:rate5m`,
  podReadySeconds: `namespace:${SIDECAR.podReadySeconds}:mean6h`,
  nodeReadyEvents: 'node:pixelstream_node_ready_seconds',
  nodeReadySeconds: 'pixelstream:node_ready_seconds:avg1d',
  timeToCapacity: 'namespace_service:pixelstream_time_to_capacity_seconds',
  buffer: 'namespace_service:pixelstream_buffer',
  scheduledMinimum: 'namespace_service:pixelstream_scheduled_min',
} as const;

/** Buffer the demand uses if the kit's rules are not installed (the adapter rule stays defined). */
export const BUFFER_WITHOUT_RULES = 1;

/** Gives a label-less vector a pool's (namespace, service) labels, which the adapter matches on. */
function onService(o: MonitoringOptions, service: string, expr: string): string {
  return `label_replace(label_replace(${expr}, "namespace", "${o.namespace}", "", ""), "service", "${service}", "", "")`;
}

/** The minimum the schedule asks for now, as a label-less vector (0 outside every window). */
export function scheduledMinimumPromQL(windows: readonly PrewarmWindow[]): string {
  const minuteOfDay = '(hour() * 60 + minute())';
  const terms = windows.map(
    (w, i) =>
      `label_replace(vector(${w.replicas}) and on () (${minuteOfDay} >= ${w.startMinute} < ${w.endMinute}), "window", "${i}", "", "")`,
  );
  return `max(${[...terms, 'vector(0)'].join(' or ')})`;
}

export function capacityRules(o: MonitoringOptions): RecordingRule[] {
  const R = CAPACITY_RECORDED;
  const ns = `namespace="${o.namespace}"`;
  const ready = `${KUBE_STATE.nodeCondition}{condition="Ready",status="true"}`;
  const gpuNodes =
    o.gpuTaintKey === undefined ? '' : ` and on (node) ${KUBE_STATE.nodeTaint}{key="${o.gpuTaintKey}"}`;
  const inputs = {
    arrivalRate: `(sum(${R.arrivalRate}{${ns}}) or vector(0))`,
    podReadySeconds: `(sum(${R.podReadySeconds}{${ns}}) or vector(${WARM_FALLBACK.podReadySeconds}))`,
    nodeReadySeconds: `(sum(${R.nodeReadySeconds}) or vector(${WARM_FALLBACK.nodeReadySeconds}))`,
  };
  const buffer =
    o.bufferMode === 'fixed'
      ? `vector(${o.buffer})`
      : warmBufferPromQL(inputs, { min: o.bufferMin, max: o.bufferMax });
  const h = SIDECAR.podReadySeconds;
  return [
    { record: R.arrivalRate, expr: `sum by (namespace) (rate(${ROUTER.arrivalsTotal}[5m]))` },
    {
      // Each pod observes its cold start once: its histogram's final sum and count over the window are that
      // pod's figure and 1, also for pods gone since (rate() would miss a count that is 1 from its first scrape).
      record: R.podReadySeconds,
      expr: `sum by (namespace) (max_over_time(${h}_sum[6h])) / (sum by (namespace) (max_over_time(${h}_count[6h])) > 0)`,
    },
    {
      record: R.nodeReadyEvents,
      expr: `((time() - ${KUBE_STATE.nodeCreated}) < 3600) and on (node) (${ready} == 1) unless on (node) (${ready} offset 1m == 1)${gpuNodes}`,
    },
    { record: R.nodeReadySeconds, expr: `avg(avg_over_time(${R.nodeReadyEvents}[1d]))` },
    // For the dashboard: what the adaptive buffer multiplies the arrival rate by (fallbacks included).
    { record: R.timeToCapacity, expr: onService(o, o.streamerService, timeToCapacityPromQL(inputs)) },
    // Every pool keeps the same warm buffer; the schedule warms the first pool only (the others' minimum is
    // the adapter's fallback, 0).
    ...poolServices(o).map((p) => ({ record: R.buffer, expr: onService(o, p.streamerService, buffer) })),
    {
      record: R.scheduledMinimum,
      expr: onService(o, o.streamerService, scheduledMinimumPromQL(o.schedule)),
    },
  ];
}
