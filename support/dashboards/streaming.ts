// The streaming dashboard: what players experience (free streams, queue, waits), what the autoscaler does
// (adapter inputs, HPA desired vs current) and what each streamer pod's GPU is doing, joined to the pod
// through the namespace/pod labels dcgm-exporter attaches (honorLabels in dcgm.values.yaml keeps them).
import { ADAPTER, DCGM, KUBE_STATE, ROUTER, SIDECAR } from '../../common/metric-names.js';
import { adapterRuleFor, adapterRules } from '../adapter-rules.js';
import { CAPACITY_RECORDED } from '../capacity-rules.js';
import { renderAdapterQuery } from '../adapter-query.js';
import { resolveOptions, type MonitoringOptions } from '../options.js';
import { buildDashboard } from './panels.js';

export const STREAMING_DASHBOARD_UID = 'pixelstream-streaming';

export function streamingDashboard(opts: Partial<MonitoringOptions> = {}): Record<string, unknown> {
  const o = resolveOptions(opts);
  const ns = 'namespace="$namespace"';
  const streamers = `${ns},service="${o.streamerService}"`;
  const sum = (metric: string, where = streamers) => `sum(${metric}{${where}})`;
  /** The adapter's own query for a service metric, rendered for the selected namespace. */
  const adapter = (metric: string) => {
    const rule = adapterRuleFor(adapterRules(o), metric);
    const series = rule.name.matches.slice(1, -1);
    return renderAdapterQuery(rule.metricsQuery, { series, namespace: '$namespace', resourceLabel: 'service', names: [o.streamerService] });
  };
  /** A DCGM field for the GPUs assigned to this namespace's streamer pods, one series per pod. */
  const perPodGpu = (field: string) => `avg by (pod) (${field}{${ns}} and on (namespace, pod) ${SIDECAR.streamerConnected}{${streamers}})`;
  const hpa = `${ns},horizontalpodautoscaler="${o.streamerService}"`;
  const svc = `${ns},service="${o.streamerService}"`;

  return buildDashboard({
    uid: STREAMING_DASHBOARD_UID,
    title: 'Pixel Streaming',
    description: 'Streams, players, queue and autoscaling of the pixel-streaming kit, with GPU use per streamer pod.',
    tags: ['pixelstream', 'streaming'],
    variables: [{ name: 'namespace', label: 'Namespace', query: `label_values(${SIDECAR.streamerConnected}, namespace)` }],
    rows: [
      {
        title: 'Now',
        panels: [
          { kind: 'stat', width: 6, title: 'Free streams', description: 'Streams a new player could get right now.', unit: 'short', queries: [{ expr: sum(SIDECAR.available), legend: 'free' }] },
          { kind: 'stat', width: 6, title: 'Players', description: 'Players connected to a stream.', unit: 'short', queries: [{ expr: sum(SIDECAR.players), legend: 'players' }] },
          {
            kind: 'stat',
            width: 6,
            title: 'Queued players',
            description: 'Players waiting in the routers for a stream (all router replicas).',
            unit: 'short',
            queries: [{ expr: sum(ROUTER.queueLength, `${ns},service="${o.routerService}"`), legend: 'queued' }],
          },
          {
            kind: 'stat',
            width: 6,
            title: 'Sessions in the last hour',
            description: 'Player sessions started on the streamer pods during the last hour.',
            unit: 'short',
            queries: [{ expr: `sum(increase(${SIDECAR.sessionsTotal}{${streamers}}[1h]))`, legend: 'sessions' }],
          },
        ],
      },
      {
        title: 'Streams and players',
        panels: [
          {
            kind: 'timeseries',
            title: 'Streamer pods by state',
            description: 'Free (streamer up, not allocated, not draining), allocated (a player or a reservation), draining (terminating with a live session), without a streamer.',
            unit: 'short',
            queries: [
              { expr: sum(SIDECAR.available), legend: 'free' },
              { expr: sum(SIDECAR.allocated), legend: 'allocated' },
              { expr: sum(SIDECAR.draining), legend: 'draining' },
              { expr: `count(${SIDECAR.streamerConnected}{${streamers}} == 0) or vector(0)`, legend: 'no streamer' },
            ],
          },
          {
            kind: 'timeseries',
            title: 'Players and queue',
            description: 'Players on streams and players queued in the routers.',
            unit: 'short',
            queries: [
              { expr: sum(SIDECAR.players), legend: 'players' },
              { expr: sum(ROUTER.queueLength, `${ns},service="${o.routerService}"`), legend: 'queued' },
            ],
          },
          {
            kind: 'timeseries',
            title: 'Queue wait (p50, p95)',
            description: 'Time from a player reaching the router to getting a stream.',
            unit: 's',
            queries: [0.5, 0.95].map((q) => ({
              expr: `histogram_quantile(${q}, sum by (le) (rate(${ROUTER.waitSeconds}_bucket{${ns}}[$__rate_interval])))`,
              legend: `p${q * 100}`,
            })),
          },
          {
            kind: 'timeseries',
            title: 'Router allocations',
            description: 'Allocation attempts per second by result (assigned, resumed, rejected, failed).',
            unit: 'reqps',
            queries: [{ expr: `sum by (result) (rate(${ROUTER.allocationsTotal}{${ns}}[$__rate_interval]))`, legend: '{{result}}' }],
          },
        ],
      },
      {
        title: 'Autoscaling',
        panels: [
          {
            kind: 'timeseries',
            title: 'HPA replicas',
            description: 'What the HPA wants, what runs, and the ceiling (kube-state-metrics).',
            unit: 'short',
            queries: [
              { expr: `max(${KUBE_STATE.hpaDesiredReplicas}{${hpa}})`, legend: 'desired' },
              { expr: `max(${KUBE_STATE.hpaCurrentReplicas}{${hpa}})`, legend: 'current' },
              { expr: `max(${KUBE_STATE.hpaMaxReplicas}{${hpa}})`, legend: 'max' },
            ],
          },
          {
            kind: 'timeseries',
            title: 'Autoscaling inputs (as the adapter computes them)',
            description: `The custom metrics the HPA reads, using the prometheus-adapter's own queries (demand includes the warm buffer and scheduled minimum the kit's rules record).`,
            unit: 'short',
            queries: [
              { expr: adapter(ADAPTER.demand), legend: ADAPTER.demand },
              { expr: adapter(ADAPTER.availableCount), legend: ADAPTER.availableCount },
              { expr: adapter(ADAPTER.poolRatio), legend: ADAPTER.poolRatio },
            ],
          },
          {
            kind: 'timeseries',
            title: 'Warm capacity',
            description:
              "The warm buffer the kit's rule records (adaptive: ⌈arrivals/s × time to new capacity⌉ within its bounds), the pre-warming schedule's minimum, arrivals per minute and the time to new capacity in minutes (max of pod creation → Ready and GPU node creation → Ready; defaults until measured).",
            unit: 'short',
            queries: [
              { expr: `sum(${CAPACITY_RECORDED.buffer}{${svc}})`, legend: 'warm buffer' },
              { expr: `sum(${CAPACITY_RECORDED.scheduledMinimum}{${svc}})`, legend: 'scheduled minimum' },
              { expr: `60 * sum(${CAPACITY_RECORDED.arrivalRate}{namespace="$namespace"})`, legend: 'arrivals / min' },
              { expr: `sum(${CAPACITY_RECORDED.timeToCapacity}{${svc}}) / 60`, legend: 'time to capacity (min)' },
            ],
          },
        ],
      },
      {
        title: 'GPU per streamer pod',
        panels: [
          { kind: 'timeseries', title: 'GPU utilisation', description: 'SM utilisation of the GPU assigned to each streamer pod.', unit: 'percent', queries: [{ expr: perPodGpu(DCGM.gpuUtil), legend: '{{pod}}' }] },
          { kind: 'timeseries', title: 'Encoder utilisation', description: 'NVENC utilisation per streamer pod.', unit: 'percent', queries: [{ expr: perPodGpu(DCGM.encoderUtil), legend: '{{pod}}' }] },
          { kind: 'timeseries', title: 'GPU memory used', description: 'Frame buffer in use per streamer pod.', unit: 'decmbytes', queries: [{ expr: perPodGpu(DCGM.memoryUsed), legend: '{{pod}}' }] },
          { kind: 'timeseries', title: 'GPU temperature', description: 'GPU temperature per streamer pod.', unit: 'celsius', queries: [{ expr: perPodGpu(DCGM.temperature), legend: '{{pod}}' }] },
        ],
      },
    ],
  });
}
