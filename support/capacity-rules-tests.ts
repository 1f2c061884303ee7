// promtool cases for the capacity rules (capacity-rules.ts): measured arrivals, pod and node start-up give
// the adaptive buffer by the warm-capacity formula, evaluated here in TypeScript for the expected value;
// with nothing measured the buffer falls back to its bounds and the schedule to its windows.
import { KUBE_STATE, ROUTER, SIDECAR } from '../common/metric-names.js';
import { CAPACITY_RECORDED as R } from './capacity-rules.js';
import type { MonitoringOptions } from './options.js';
import { WARM_FALLBACK, timeToCapacityValue, warmBufferValue } from './warm-capacity.js';

const sel = (name: string, labels: Record<string, string>) =>
  `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;

export function capacityRuleTests(o: MonitoringOptions) {
  const ns = o.namespace;
  const service = { namespace: ns, service: o.streamerService };
  const fixedOrAdaptive = (inputs: Parameters<typeof warmBufferValue>[0]) =>
    o.bufferMode === 'fixed' ? o.buffer : warmBufferValue(inputs, { min: o.bufferMin, max: o.bufferMax });
  const sidecar = (pod: string) => ({ namespace: ns, service: o.streamerService, pod });
  const ready = (node: string) => ({ node, condition: 'Ready', status: 'true' });
  const taint = o.gpuTaintKey ?? 'example.com/any';
  // One arrival a minute; pods took 60 s and 120 s; GPU node n1 (created at 0) turned Ready at 5 min; n2
  // has no GPU taint and must not count when the pool is tainted.
  const perSecond = 1 / 60;
  const podMean = 90;
  const nodeSeconds = 300;
  const measured = fixedOrAdaptive({
    arrivalRate: perSecond,
    podReadySeconds: podMean,
    nodeReadySeconds: nodeSeconds,
  });
  const nothing = fixedOrAdaptive({ arrivalRate: 0, ...WARM_FALLBACK });
  return [
    {
      name: 'capacity rules: the buffer from measured arrivals, pod start and GPU node start',
      interval: '1m',
      input_series: [
        {
          series: sel(ROUTER.arrivalsTotal, { namespace: ns, service: o.routerService, pod: 'router-a' }),
          values: '0+1x70',
        },
        { series: sel(`${SIDECAR.podReadySeconds}_sum`, sidecar('s-a')), values: '60x70' },
        { series: sel(`${SIDECAR.podReadySeconds}_count`, sidecar('s-a')), values: '1x70' },
        { series: sel(`${SIDECAR.podReadySeconds}_sum`, sidecar('s-b')), values: '0 120x69' },
        { series: sel(`${SIDECAR.podReadySeconds}_count`, sidecar('s-b')), values: '0 1x69' },
        { series: sel(KUBE_STATE.nodeCreated, { node: 'n1' }), values: '0x70' },
        { series: sel(KUBE_STATE.nodeCondition, ready('n1')), values: '0x4 1x65' },
        {
          series: sel(KUBE_STATE.nodeTaint, { node: 'n1', key: taint, effect: 'NoSchedule' }),
          values: '1x70',
        },
        { series: sel(KUBE_STATE.nodeCreated, { node: 'n2' }), values: '0x70' },
        { series: sel(KUBE_STATE.nodeCondition, ready('n2')), values: '0x1 1x68' },
      ],
      promql_expr_test: [
        {
          expr: `round(${R.arrivalRate} * 6000)`,
          eval_time: '10m',
          exp_samples: [{ labels: sel('', { namespace: ns }), value: Math.round(perSecond * 6000) }],
        },
        {
          expr: R.podReadySeconds,
          eval_time: '10m',
          exp_samples: [{ labels: sel(R.podReadySeconds, { namespace: ns }), value: podMean }],
        },
        {
          expr: R.nodeReadyEvents,
          eval_time: '5m',
          exp_samples: [{ labels: sel(R.nodeReadyEvents, { node: 'n1' }), value: nodeSeconds }],
        },
        // Recorded once, when Ready turned true; a minute later nothing new is recorded.
        { expr: R.nodeReadyEvents, eval_time: '7m', exp_samples: [] },
        {
          expr: R.nodeReadySeconds,
          eval_time: '10m',
          exp_samples: [{ labels: R.nodeReadySeconds, value: nodeSeconds }],
        },
        {
          expr: R.timeToCapacity,
          eval_time: '10m',
          exp_samples: [
            {
              labels: sel(R.timeToCapacity, service),
              value: timeToCapacityValue({
                arrivalRate: perSecond,
                podReadySeconds: podMean,
                nodeReadySeconds: nodeSeconds,
              }),
            },
          ],
        },
        {
          expr: R.buffer,
          eval_time: '10m',
          exp_samples: [{ labels: sel(R.buffer, service), value: measured }],
        },
      ],
    },
    {
      name: 'capacity rules: nothing measured yet — fallback start-up times, no arrivals, no window',
      interval: '1m',
      input_series: [{ series: sel(SIDECAR.available, sidecar('s-a')), values: '1x10' }],
      promql_expr_test: [
        {
          expr: R.buffer,
          eval_time: '5m',
          exp_samples: [{ labels: sel(R.buffer, service), value: nothing }],
        },
        {
          expr: R.scheduledMinimum,
          eval_time: '5m',
          exp_samples: [{ labels: sel(R.scheduledMinimum, service), value: 0 }],
        },
      ],
    },
  ];
}
