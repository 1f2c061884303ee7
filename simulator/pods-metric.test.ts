// The Pods-metric replica calculation against the controller's rules for pods it cannot trust (Pending, or
// Running without a sample): hand-computed cases, then properties over random pod sets (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PodSample } from './hpa-types.js';
import {
  HPA_TOLERANCE,
  symmetricTolerance,
  withinTolerance,
  type Tolerances,
} from '../common/hpa-replicas.js';
import { podsMetricReplicas } from './pods-metric.js';

const TOL: Tolerances = symmetricTolerance(HPA_TOLERANCE);
const TARGET = 1000; // AverageValue 1, in milli-units
const at = (...values: number[]): PodSample[] => values.map((value) => ({ pending: false, value }));
const silent = (n: number): PodSample[] =>
  Array.from({ length: n }, () => ({ pending: false, value: undefined }));
const pending = (n: number): PodSample[] =>
  Array.from({ length: n }, () => ({ pending: true, value: undefined }));

describe('pods the controller cannot trust', () => {
  /** Pods in short form: a number is a pod reporting that value, `?` a Running pod without a sample yet,
   *  `P` a Pending pod. */
  const podsOf = (text: string): PodSample[] =>
    text.split(' ').flatMap((t) => (t === 'P' ? pending(1) : t === '?' ? silent(1) : at(Number(t))));
  it.each<[pods: string, current: number, want: number, why: string]>([
    ['3 3 3', 3, 9, 'all pods report: ceil(ratio × pods)'],
    ['1.05 1.05', 2, 2, 'all pods report, inside the tolerance: no change'],
    ['0.2 0.2 0.2 ?', 4, 2, 'scale-down: a silent pod counts as the target (0.2,0.2,0.2,1 → 0.4 × 4)'],
    ['2 2 ? ?', 4, 4, 'scale-up: silent pods count as 0, which can land inside the tolerance'],
    ['1.5 ? ?', 3, 3, 'scale-up: silent pods count as 0, which can turn the direction (→ 0.5)'],
    ['3 3 ?', 3, 6, 'scale-up with silent pods still scales when the usage carries it (2 × 3)'],
    ['3 3 P', 3, 6, 'scale-up: a pending pod counts as 0 (3,3,0 → 2 × 3)'],
    ['1.5 1.5 P P', 4, 4, 'scale-up: pending pods that would make it a scale-down: no change (→ 0.75)'],
    ['2.1 P', 2, 2, 'scale-up: pending pods inside the tolerance after counting them: no change'],
    ['0.5 0.5 P P P', 5, 1, 'scale-down: pending pods are left out (ceil(0.5 × 2))'],
    ['3 3 ?', 10, 10, 'a larger pod count than replicas would move against the direction: no change'],
  ])('[%s] at %i replicas → %i: %s', (pods, current, want) => {
    expect(podsMetricReplicas(podsOf(pods), TARGET, current, TOL)).toBe(want);
  });

  it('the average is an integer division of milli-units (1001m + 1000m over 2 = 1000m)', () => {
    expect(podsMetricReplicas(at(1.001, 1), TARGET, 1, TOL)).toBe(1);
  });

  it('no pod reported a usable sample: an error, not a count', () => {
    expect(podsMetricReplicas([], TARGET, 3, TOL, 'p')).toBe('FailedGetPodsMetric:p');
    expect(podsMetricReplicas([...pending(2), ...silent(1)], TARGET, 3, TOL, 'p')).toBe(
      'FailedGetPodsMetric:p:no samples',
    );
  });
});

// Values in milli-units as the adapter hands them over (0 … 5 per pod), pods in any order.
const reported = fc
  .integer({ min: 0, max: 5000 })
  .map((m): PodSample => ({ pending: false, value: m / 1000 }));
const unknown = fc.constantFrom<PodSample>(
  { pending: true, value: undefined },
  { pending: false, value: undefined },
);
const tolerance = fc.record({
  up: fc.constantFrom(0, 0.05, 0.1, 0.3),
  down: fc.constantFrom(0, 0.05, 0.1, 0.3),
});
const rawRatio = (samples: readonly PodSample[]) => {
  const known = samples
    .filter((s) => !s.pending && s.value !== undefined)
    .map((s) => Math.trunc(s.value! * 1000));
  return Math.trunc(known.reduce((a, v) => a + v, 0) / known.length) / TARGET;
};

describe('properties', () => {
  it('with every pod reporting it is the documented formula: ceil(ratio × pods) outside the tolerance', () => {
    fc.assert(
      fc.property(
        fc.array(reported, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 40 }),
        tolerance,
        (samples, current, tol) => {
          const ratio = rawRatio(samples);
          const want = withinTolerance(tol, ratio) ? current : Math.ceil(ratio * samples.length);
          expect(podsMetricReplicas(samples, TARGET, current, tol)).toBe(want);
        },
      ),
    );
  });

  it('pods without a trusted value never turn a scale-up into a scale-down or the reverse', () => {
    fc.assert(
      fc.property(
        fc.array(reported, { minLength: 1, maxLength: 20 }),
        fc.array(unknown, { minLength: 1, maxLength: 20 }),
        tolerance,
        (known, unknowns, tol) => {
          const samples = [...known, ...unknowns];
          const current = samples.length; // every pod of the Deployment is in the list
          const ratio = rawRatio(samples);
          const got = podsMetricReplicas(samples, TARGET, current, tol);
          if (ratio > 1) expect(got).toBeGreaterThanOrEqual(current);
          if (ratio < 1) expect(got).toBeLessThanOrEqual(current);
        },
      ),
    );
  });

  it('pending pods change nothing unless the reported usage asks for a scale-up', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.oneof(reported, unknown), { minLength: 1, maxLength: 20 })
          .filter((s) => s.some((p) => !p.pending && p.value !== undefined)),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 40 }),
        tolerance,
        (samples, extra, current, tol) => {
          fc.pre(rawRatio(samples) <= 1);
          const more = [...samples, ...pending(extra)];
          expect(podsMetricReplicas(more, TARGET, current, tol)).toBe(
            podsMetricReplicas(samples, TARGET, current, tol),
          );
        },
      ),
    );
  });

  it('on a scale-up a pending pod and a silent one weigh the same (both as 0)', () => {
    fc.assert(
      fc.property(
        fc.array(reported, { minLength: 1, maxLength: 20 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 40 }),
        tolerance,
        (known, pendingFlags, current, tol) => {
          fc.pre(rawRatio(known) > 1);
          const asPending = [...known, ...pending(pendingFlags.length)];
          const mixed = [...known, ...pendingFlags.map((p) => ({ pending: p, value: undefined }))];
          const asSilent = [...known, ...silent(pendingFlags.length)];
          const want = podsMetricReplicas(asSilent, TARGET, current, tol);
          expect(podsMetricReplicas(asPending, TARGET, current, tol)).toBe(want);
          expect(podsMetricReplicas(mixed, TARGET, current, tol)).toBe(want);
        },
      ),
    );
  });
});
