// Table tests of the HPA algorithm against the Kubernetes documentation's examples and the controller's
// edge cases. Each case drives the controller through its public sync() the way the simulation does.
import { describe, expect, it } from 'vitest';
import { HpaController } from './hpa.js';
import type { Behavior, HpaObservation, HpaSpec, PodSample, ScalingPolicy } from './hpa-types.js';

interface Obs {
  spec: number;
  status?: number;
  ready?: number;
  metrics?: Record<string, number | undefined>;
  pods?: PodSample[];
}
const obs = (o: Obs): HpaObservation => ({
  specReplicas: o.spec,
  statusReplicas: o.status ?? o.spec,
  readyPods: o.ready ?? o.spec,
  objectMetric: (name) => o.metrics?.[name],
  podMetric: () => o.pods,
});
const spec = (s: Partial<HpaSpec> & { behavior?: Behavior }): HpaSpec => ({
  minReplicas: 1,
  maxReplicas: 100,
  metrics: [{ source: 'Object', name: 'm', target: { type: 'Value', value: 0.1 } }],
  ...s,
});
const noDownWindow: Behavior = { scaleDown: { stabilizationWindowSeconds: 0 } };

describe('replica calculation (documented formula: ceil(current × metric / target))', () => {
  it.each([
    { what: '200m vs 100m doubles', spec: 3, value: 0.2, want: 6 },
    { what: '50m vs 100m halves', spec: 4, value: 0.05, want: 2 },
    { what: 'inside the 0.1 tolerance nothing changes (ratio 1.09)', spec: 4, value: 0.109, want: 4 },
    { what: 'exactly at the band edge (ratio 1.1) nothing changes', spec: 4, value: 0.11, want: 4 },
    { what: 'just outside the band (ratio 1.11) scales', spec: 4, value: 0.111, want: 5 },
    { what: 'below the band (ratio 0.89) scales down', spec: 10, value: 0.089, want: 9 },
  ])('Object Value: $what', ({ spec: current, value, want }) => {
    const hpa = new HpaController(spec({ behavior: noDownWindow }));
    expect(hpa.sync(0, obs({ spec: current, metrics: { m: value } })).desiredReplicas).toBe(want);
  });

  it('Object Value multiplies by READY pods, not by the replica count (not-yet-ready pods are left out)', () => {
    const hpa = new HpaController(spec({ behavior: noDownWindow }));
    // 5 replicas, 2 ready, metric at twice the target: ceil(2 × 2) = 4 — a scale-down while pods start.
    expect(hpa.sync(0, obs({ spec: 5, ready: 2, metrics: { m: 0.2 } })).desiredReplicas).toBe(4);
  });

  it.each([
    { what: 'total / target', status: 5, value: 7, want: 7 },
    { what: 'tolerance judged per replica (7.4 / 7 = 1.06)', status: 7, value: 7.4, want: 7 },
    { what: 'scale down to the total', status: 9, value: 3, want: 3 },
    { what: 'milli-units: 2.0009 is 2000m → 2', status: 5, value: 2.0009, want: 2 },
  ])('Object AverageValue: $what', ({ status, value, want }) => {
    const hpa = new HpaController(
      spec({
        metrics: [{ source: 'Object', name: 'd', target: { type: 'AverageValue', value: 1 } }],
        behavior: noDownWindow,
      }),
    );
    expect(hpa.sync(0, obs({ spec: status, status, metrics: { d: value } })).desiredReplicas).toBe(want);
  });

  it('Pods metric: missing pods count as 0 on a scale-up, which can cancel it', () => {
    const pods = spec({
      metrics: [{ source: 'Pods', name: 'p', target: { type: 'AverageValue', value: 1 } }],
      behavior: noDownWindow,
    });
    const samples: PodSample[] = [
      { pending: false, value: 2 },
      { pending: false, value: 2 },
      { pending: false, value: undefined },
      { pending: false, value: undefined },
    ];
    // Two pods report 2 (ratio 2); the two silent ones count as 0 → ratio 1 → inside tolerance → keep 4.
    expect(new HpaController(pods).sync(0, obs({ spec: 4, pods: samples })).desiredReplicas).toBe(4);
    // A pending pod counts as 0 on this scale-up: (3 + 3 + 0) / 3 = 2 → ceil(2 × 3) = 6 (pods-metric.test.ts has the rest).
    const withPending: PodSample[] = [
      { pending: false, value: 3 },
      { pending: false, value: 3 },
      { pending: true, value: undefined },
    ];
    expect(new HpaController(pods).sync(0, obs({ spec: 3, pods: withPending })).desiredReplicas).toBe(6);
  });
});

describe('missing metrics', () => {
  it('no value → no change, and the sync reports why', () => {
    const r = new HpaController(spec({})).sync(0, obs({ spec: 3, metrics: {} }));
    expect(r).toMatchObject({ desiredReplicas: 3, rescale: false });
    expect(r.reason).toMatch(/FailedGetObjectMetric/);
  });
  it('one of two metrics missing: a scale-up still happens, a scale-down does not', () => {
    const two = spec({
      behavior: noDownWindow,
      metrics: [
        { source: 'Object', name: 'a', target: { type: 'Value', value: 1 } },
        { source: 'Object', name: 'b', target: { type: 'Value', value: 1 } },
      ],
    });
    expect(new HpaController(two).sync(0, obs({ spec: 4, metrics: { a: 2 } })).desiredReplicas).toBe(8);
    expect(new HpaController(two).sync(0, obs({ spec: 4, metrics: { a: 0.5 } })).rescale).toBe(false);
  });
  it('the largest proposal of several metrics wins', () => {
    const two = spec({
      metrics: [
        { source: 'Object', name: 'a', target: { type: 'Value', value: 1 } },
        { source: 'Object', name: 'b', target: { type: 'AverageValue', value: 1 } },
      ],
    });
    expect(new HpaController(two).sync(0, obs({ spec: 4, metrics: { a: 1.5, b: 9 } })).desiredReplicas).toBe(
      8,
    );
  });
});

describe('min/max and disabled scaling', () => {
  it.each([
    { what: 'proposal above max is clamped', value: 5, current: 4, want: 10 },
    { what: 'proposal below min is clamped', value: 0, current: 4, want: 2 },
  ])('$what', ({ value, current, want }) => {
    const hpa = new HpaController(
      spec({
        minReplicas: 2,
        maxReplicas: 10,
        behavior: {
          scaleUp: { policies: [{ type: 'Percent', value: 1000, periodSeconds: 15 }] },
          ...noDownWindow,
        },
      }),
    );
    expect(hpa.sync(0, obs({ spec: current, metrics: { m: value * 0.1 * current } })).desiredReplicas).toBe(
      want,
    );
  });
  it('current above max goes straight to max, whatever the metric says', () => {
    const hpa = new HpaController(spec({ maxReplicas: 10 }));
    expect(hpa.sync(0, obs({ spec: 15, metrics: { m: 100 } })).desiredReplicas).toBe(10);
  });
  it('current below min goes straight to min, even without a metric', () => {
    const hpa = new HpaController(spec({ minReplicas: 3 }));
    expect(hpa.sync(0, obs({ spec: 1, metrics: {} })).desiredReplicas).toBe(3);
  });
  it('spec.replicas 0 with minReplicas > 0 means autoscaling is off', () => {
    expect(new HpaController(spec({})).sync(0, obs({ spec: 0, metrics: { m: 5 } }))).toMatchObject({
      rescale: false,
      reason: 'ScalingDisabled',
    });
  });
});

describe('stabilization windows', () => {
  it('scale-down picks the highest recommendation of the window (default 300 s)', () => {
    const hpa = new HpaController(spec({ behavior: {} }));
    // t=0: metric asks for 10 (current 10). Then demand collapses to 4.
    expect(hpa.sync(0, obs({ spec: 10, metrics: { m: 0.1 } })).desiredReplicas).toBe(10);
    let current = 10;
    for (let t = 15; t < 300; t += 15) {
      const r = hpa.sync(t, obs({ spec: current, metrics: { m: 0.04 } }));
      expect(r.desiredReplicas, `t=${t}`).toBe(10);
      current = r.desiredReplicas;
    }
    // At t=300 the t=0 recommendation is no longer inside (cutoff is exclusive): down to 4.
    expect(hpa.sync(300, obs({ spec: current, metrics: { m: 0.04 } })).desiredReplicas).toBe(4);
  });
  it('a peak inside the window holds the count even after the metric falls again', () => {
    const hpa = new HpaController(spec({ behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } }));
    hpa.sync(0, obs({ spec: 4, metrics: { m: 0.1 } })); // 4
    expect(hpa.sync(15, obs({ spec: 4, metrics: { m: 0.15 } })).desiredReplicas).toBe(6); // peak 6
    expect(hpa.sync(30, obs({ spec: 6, metrics: { m: 0.05 } })).desiredReplicas).toBe(6); // wants 3, window max 6
    expect(hpa.sync(60, obs({ spec: 6, metrics: { m: 0.05 } })).desiredReplicas).toBe(6); // t=15 still inside
    expect(hpa.sync(75, obs({ spec: 6, metrics: { m: 0.05 } })).desiredReplicas).toBe(3); // cutoff is exclusive
  });
  it('scale-up window uses the lowest recommendation (a brief spike does not scale up)', () => {
    const hpa = new HpaController(spec({ behavior: { scaleUp: { stabilizationWindowSeconds: 60 } } }));
    hpa.sync(0, obs({ spec: 4, metrics: { m: 0.1 } }));
    expect(hpa.sync(15, obs({ spec: 4, metrics: { m: 0.3 } })).desiredReplicas).toBe(4);
    expect(hpa.sync(45, obs({ spec: 4, metrics: { m: 0.3 } })).desiredReplicas).toBe(4);
    // t=0 leaves the window: 12 is recommended, the default policy allows +4 / +100 % → 8.
    expect(hpa.sync(60, obs({ spec: 4, metrics: { m: 0.3 } })).desiredReplicas).toBe(8);
  });
});

describe('behavior policies', () => {
  const rule = (type: ScalingPolicy['type'], value: number, periodSeconds: number): ScalingPolicy => ({
    type,
    value,
    periodSeconds,
  });
  /** One sync: at time t with spec replicas, ready pods and Object value m, the count it must return. */
  const step = (t: number, spec: number, ready: number, m: number, want: number) => ({
    t,
    spec,
    ready,
    m,
    want,
  });
  it.each<{ what: string; behavior: Behavior | undefined; steps: ReturnType<typeof step>[] }>([
    {
      what: 'default scale-up: the larger of +4 pods and +100 % per 15 s',
      behavior: {},
      steps: [step(0, 1, 1, 10, 5), step(15, 5, 1, 10, 10), step(30, 10, 1, 10, 20)],
    },
    {
      what: 'a scale-up inside the period counts against the next one',
      behavior: { scaleUp: { policies: [rule('Pods', 4, 60)] } },
      steps: [step(0, 1, 1, 10, 5), step(15, 5, 1, 10, 5), step(60, 5, 1, 10, 9)],
    },
    {
      what: 'Percent 900 allows 10× the current count (documented example)',
      behavior: { scaleUp: { policies: [rule('Percent', 900, 60)] } },
      steps: [step(0, 3, 3, 100, 30)],
    },
    {
      what: 'scale-down Percent 10 per 60 s from 80 toward 10: 72, then 64 (documented example)',
      behavior: { scaleDown: { stabilizationWindowSeconds: 0, policies: [rule('Percent', 10, 60)] } },
      steps: [step(0, 80, 80, 0.0125, 72), step(15, 72, 72, 0.0139, 72), step(60, 72, 72, 0.0139, 64)],
    },
    {
      what: 'without behavior the legacy limit applies: at most max(2 × current, 4)',
      behavior: undefined,
      steps: [step(0, 1, 1, 10, 4), step(15, 5, 5, 10, 10)],
    },
  ])('$what', ({ behavior, steps }) => {
    const hpa = new HpaController(spec({ behavior }));
    const got = steps.map(({ t, spec: current, ready, m }) =>
      hpa.sync(t, obs({ spec: current, ready, metrics: { m } })),
    );
    expect(got.map((r) => r.desiredReplicas)).toEqual(steps.map((x) => x.want));
  });
  it.each([
    { select: 'Max' as const, want: 20 },
    { select: 'Min' as const, want: 14 },
    { select: 'Disabled' as const, want: 10 },
  ])('selectPolicy $select on scale-up (Pods 4 vs Percent 100 from 10)', ({ select, want }) => {
    const hpa = new HpaController(
      spec({
        behavior: {
          scaleUp: { selectPolicy: select, policies: [rule('Pods', 4, 15), rule('Percent', 100, 15)] },
        },
      }),
    );
    expect(hpa.sync(0, obs({ spec: 10, metrics: { m: 5 } })).desiredReplicas).toBe(want);
  });
  it.each([
    { select: 'Max' as const, want: 36 },
    { select: 'Min' as const, want: 46 },
    { select: 'Disabled' as const, want: 50 },
  ])(
    'selectPolicy $select on scale-down (Pods 4 vs Percent 10 per 60 s from 50; Max = biggest change)',
    ({ select, want }) => {
      const scaleDown = {
        stabilizationWindowSeconds: 0,
        selectPolicy: select,
        policies: [rule('Pods', 4, 60), rule('Percent', 28, 60)],
      };
      const hpa = new HpaController(spec({ behavior: { scaleDown } }));
      // Pods: 50 − 4 = 46; Percent: trunc(50 × 0.72) = 36.
      expect(hpa.sync(0, obs({ spec: 50, metrics: { m: 0.01 } })).desiredReplicas).toBe(want);
    },
  );
});
