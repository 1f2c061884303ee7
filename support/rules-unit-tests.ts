// The promtool unit tests (`promtool test rules`) for every recording and alerting rule, generated from the
// same names as the rules so a renamed metric cannot leave a test checking the old one. Each alert has a
// firing case, a not-yet (inside `for`) case and a look-alike that must stay silent.
import { DCGM, KUBE_STATE, ROUTER, SIDECAR, TURN_RELAY } from '../common/metric-names.js';
import { ALERTS, RECORDED, prometheusRuleGroups, type AlertingRule } from './prometheus-rules.js';
import { capacityRuleTests } from './capacity-rules-tests.js';
import { resolveOptions, type MonitoringOptions } from './options.js';

type Labels = Record<string, string>;
interface InputSeries {
  series: string;
  values: string;
}
interface ExpAlert {
  exp_labels: Labels;
  exp_annotations: Record<string, string>;
}

const sel = (name: string, labels: Labels) =>
  `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;

/** One series per metric and target: each row is a metric and its promtool values, one per target. */
const grid = (targets: readonly Labels[], rows: readonly (readonly [string, ...string[]])[]): InputSeries[] =>
  rows.flatMap(([metric, ...values]) =>
    values.map((v, i) => ({ series: sel(metric, targets[i]!), values: v })),
  );

/** kube-state-metrics' ready and desired pod counts of one DaemonSet, flat for 30 minutes. */
const daemonSet = (namespace: string, daemonset: string, ready: number, desired: number): InputSeries[] => [
  { series: sel(KUBE_STATE.daemonsetReady, { namespace, daemonset }), values: `${ready}x30` },
  { series: sel(KUBE_STATE.daemonsetDesired, { namespace, daemonset }), values: `${desired}x30` },
];

/** Renders our annotation templates, which use only `{{ $labels.NAME }}`. */
function renderAnnotations(rule: AlertingRule, labels: Labels): Record<string, string> {
  const render = (t: string) =>
    t.replace(/\{\{\s*\$labels\.(\w+)\s*\}\}/g, (_m, k: string) => labels[k] ?? '');
  return { summary: render(rule.annotations.summary), description: render(rule.annotations.description) };
}

/** The promtool test document for rules written to `ruleFile` with `opts`. */
export function rulesUnitTests(ruleFile: string, opts: Partial<MonitoringOptions> = {}) {
  const o = resolveOptions(opts);
  const alerts = new Map(
    prometheusRuleGroups(o)
      .flatMap((g) => g.rules)
      .filter((r): r is AlertingRule => 'alert' in r)
      .map((r) => [r.alert, r]),
  );
  const expect = (alert: string, labels: Labels): ExpAlert => {
    const rule = alerts.get(alert);
    if (!rule) throw new Error(`no alert ${alert}`);
    return { exp_labels: { ...labels, ...rule.labels }, exp_annotations: renderAnnotations(rule, labels) };
  };
  const svc = o.streamerService;
  const pod = (ns: string, name: string, service = svc) => ({ namespace: ns, service, pod: name });
  const mins = (m: number) => `${m}m`;
  /** An alert's not-yet case (silent at `quietAt` minutes) and its firing case (exactly `firing` at `firingAt`). */
  const quietThenFiring = (alertname: string, quietAt: number, firingAt: number, ...firing: Labels[]) => [
    { alertname, eval_time: mins(quietAt), exp_alerts: [] },
    { alertname, eval_time: mins(firingAt), exp_alerts: firing.map((labels) => expect(alertname, labels)) },
  ];

  // Queue waits: per minute 6 players wait ≤ 1 s, 2 ≤ 10 s, 1 ≤ 60 s, 1 ≤ 300 s → p95 = 60 + 240 × 0.5 = 180 s.
  const slowBuckets: [string, number][] = [
    ['1', 6],
    ['10', 8],
    ['60', 9],
    ['300', 10],
    ['+Inf', 10],
  ];
  const fastBuckets: [string, number][] = [
    ['1', 10],
    ['10', 10],
    ['60', 10],
    ['300', 10],
    ['+Inf', 10],
  ];
  const histogram = (ns: string, buckets: [string, number][]): InputSeries[] =>
    buckets.map(([le, perMinute]) => ({
      series: sel(`${ROUTER.waitSeconds}_bucket`, {
        namespace: ns,
        service: o.routerService,
        pod: 'router-a',
        le,
      }),
      values: `0+${perMinute}x30`,
    }));

  const gpu = (host: string, ns: string, podName: string) => ({
    gpu: '0',
    UUID: `GPU-${host}`,
    Hostname: host,
    modelName: 'NVIDIA A10',
    namespace: ns,
    pod: podName,
    container: 'app',
  });
  const hotGpu = gpu('node-hot', 'pixel', 'streamer-1');

  return {
    rule_files: [ruleFile],
    evaluation_interval: '1m',
    tests: [
      ...capacityRuleTests(o),
      {
        name: 'recording rules aggregate per namespace and service',
        interval: '1m',
        input_series: [
          ...grid(
            [pod('pixel', 's-a'), pod('pixel', 's-b')],
            [
              [SIDECAR.available, '1x70', '0x70'],
              [SIDECAR.allocated, '0x70', '1x70'],
              [SIDECAR.draining, '0x70', '1x70'],
              [SIDECAR.streamerConnected, '1x70', '1x70'],
              [SIDECAR.players, '0x70', '2x70'],
            ],
          ),
          ...grid(
            [pod('pixel', 'router-a', o.routerService), pod('pixel', 'router-b', o.routerService)],
            [[ROUTER.queueLength, '3x70', '1x70']],
          ),
          ...grid([pod('pixel', 's-a'), pod('pixel', 's-b')], [[SIDECAR.sessionsTotal, '0+1x70', '0+2x70']]),
          ...histogram('pixel', slowBuckets),
        ],
        promql_expr_test: [
          ...(
            [
              [RECORDED.available, 1],
              [RECORDED.allocated, 1],
              [RECORDED.draining, 1],
              [RECORDED.streamersConnected, 2],
              [RECORDED.players, 2],
            ] as const
          ).map(([expr, value]) => ({
            expr,
            eval_time: mins(10),
            exp_samples: [{ labels: sel(expr, { namespace: 'pixel', service: svc }), value }],
          })),
          {
            expr: RECORDED.queueLength,
            eval_time: mins(10),
            exp_samples: [{ labels: sel(RECORDED.queueLength, { namespace: 'pixel' }), value: 4 }],
          },
          // histogram_quantile interpolates in floating point: compare the rounded value.
          {
            expr: `round(${RECORDED.waitP95})`,
            eval_time: mins(10),
            exp_samples: [{ labels: `{namespace="pixel"}`, value: 180 }],
          },
          // 1 + 2 sessions a minute over the last hour (promtool series start at 0 and the window is full).
          {
            expr: RECORDED.sessionsPerHour,
            eval_time: mins(65),
            exp_samples: [{ labels: sel(RECORDED.sessionsPerHour, { namespace: 'pixel' }), value: 180 }],
          },
        ],
      },
      {
        name: 'no free stream fires after its hold time, not while a stream is free',
        interval: '1m',
        input_series: [
          ...grid(
            [pod('busy', 's-a'), pod('busy', 's-b'), pod('calm', 's-a'), pod('calm', 's-b')],
            [[SIDECAR.available, '0x30', '0x30', '0x30', '1x30']],
          ),
        ],
        alert_rule_test: [
          ...quietThenFiring(ALERTS.noFreeStream, o.noFreeStreamMinutes - 1, o.noFreeStreamMinutes + 2, {
            namespace: 'busy',
            service: svc,
          }),
        ],
      },
      {
        name: 'queue wait p95 above the threshold fires; fast queues stay silent',
        interval: '1m',
        input_series: [...histogram('slow', slowBuckets), ...histogram('fast', fastBuckets)],
        alert_rule_test: [...quietThenFiring(ALERTS.queueWaitHigh, 3, 15, { namespace: 'slow' })],
      },
      {
        name: 'sidecar without streamer fires unless the pod is draining',
        interval: '1m',
        input_series: [
          ...grid(
            [pod('pixel', 'lonely'), pod('pixel', 'leaving'), pod('pixel', 'healthy')],
            [
              [SIDECAR.streamerConnected, '0x30', '0x30', '1x30'],
              [SIDECAR.draining, '0x30', '1x30', '0x30'],
            ],
          ),
        ],
        alert_rule_test: [
          ...quietThenFiring(
            ALERTS.sidecarWithoutStreamer,
            o.streamerMissingMinutes - 1,
            o.streamerMissingMinutes + 2,
            pod('pixel', 'lonely'),
          ),
        ],
      },
      {
        name: 'TURN down when no pod is ready, degraded when some are missing',
        interval: '1m',
        input_series: [
          ...daemonSet('down', o.turnDaemonSet, 0, 2),
          ...daemonSet('half', o.turnDaemonSet, 1, 2),
          ...daemonSet('ok', o.turnDaemonSet, 2, 2),
          // Another DaemonSet at zero must not page anyone about TURN.
          ...daemonSet('ok', 'other', 0, 1),
        ],
        alert_rule_test: [
          ...quietThenFiring(ALERTS.turnDown, 1, 4, { namespace: 'down', daemonset: o.turnDaemonSet }),
          ...quietThenFiring(
            ALERTS.turnDegraded,
            9,
            12,
            { namespace: 'down', daemonset: o.turnDaemonSet },
            { namespace: 'half', daemonset: o.turnDaemonSet },
          ),
        ],
      },
      {
        name: 'TURN secret mismatch fires on refused-as-mismatch credentials, not on expired ones',
        interval: '1m',
        input_series: [
          // Expired credentials (an old tab) are normal and must stay silent.
          ...grid(
            [
              { namespace: 'bad', pod: 'turn-a', reason: 'mismatch' },
              { namespace: 'ok', pod: 'turn-b', reason: 'expired' },
              { namespace: 'ok', pod: 'turn-b', reason: 'mismatch' },
            ],
            [[TURN_RELAY.authRejectionsTotal, '0+3x30', '0+3x30', '0x30']],
          ),
        ],
        alert_rule_test: [...quietThenFiring(ALERTS.turnSecretMismatch, 3, 12, { namespace: 'bad' })],
      },
      {
        name: 'GPU memory and temperature alerts fire only on the hot, full GPU',
        interval: '1m',
        input_series: [
          ...grid(
            [hotGpu, gpu('node-cool', 'pixel', 'streamer-2')],
            [
              [DCGM.memoryUsed, '15000x30', '1000x30'],
              [DCGM.memoryFree, '1000x30', '15000x30'],
              [DCGM.temperature, '90x30', '60x30'],
            ],
          ),
        ],
        alert_rule_test: [
          ...quietThenFiring(ALERTS.gpuMemoryHigh, 3, 7, hotGpu),
          ...quietThenFiring(ALERTS.gpuTemperatureHigh, 3, 7, hotGpu),
        ],
      },
    ],
  };
}
