// The replica count a Pods metric proposes, as kube-controller-manager's replica calculator computes it
// (`calcPlainMetricReplicas`): average over pods that reported, and for the pods it cannot trust — Pending
// ones and Running ones without a sample — an assumption that can only hold a scale back, never push one.
import { scaleByRatio, withinTolerance, type Tolerances } from '../common/hpa-replicas.js';
import type { PodSample } from './hpa-types.js';
import { adapterMilli } from './quantities.js';

/** The controller's average: integer division of the milli-unit total by the count, then ÷ target. */
const usageRatio = (totalMilli: number, count: number, targetMilli: number) =>
  Math.trunc(totalMilli / count) / targetMilli;

/**
 * Replicas proposed by one Pods metric (AverageValue `targetMilli` per pod), or a string naming the error
 * when no pod gave a usable sample.
 *
 * - Pending pods are left out of the average; on a scale-up (ratio > 1) they count as using 0.
 * - Pods without a sample count as using 0 on a scale-up and exactly the target on a scale-down.
 * - If those assumptions land inside the tolerance or turn the direction around, or the larger pod count
 *   would move the replicas against the direction, the count stays at `current`.
 */
export function podsMetricReplicas(
  samples: readonly PodSample[],
  targetMilli: number,
  current: number,
  tolerances: Tolerances,
  name = 'metric',
): number | string {
  if (samples.length === 0) return `FailedGetPodsMetric:${name}`;
  let total = 0;
  let reported = 0;
  let missing = 0;
  let unready = 0;
  for (const s of samples) {
    if (s.pending) unready++;
    else if (s.value === undefined) missing++;
    else {
      total += adapterMilli(s.value);
      reported++;
    }
  }
  if (reported === 0) return `FailedGetPodsMetric:${name}:no samples`;
  const ratio = usageRatio(total, reported, targetMilli);
  const countUnready = unready > 0 && ratio > 1;
  if (!countUnready && missing === 0) return scaleByRatio(ratio, current, reported, tolerances);
  // Scale-down: silent pods are assumed at the target; scale-up: silent and pending pods at 0.
  let count = reported + missing;
  if (missing > 0 && ratio < 1) total += missing * targetMilli;
  if (countUnready) count += unready;
  const assumed = usageRatio(total, count, targetMilli);
  if (withinTolerance(tolerances, assumed) || (ratio < 1 && assumed > 1) || (ratio > 1 && assumed < 1))
    return current;
  const proposal = Math.ceil(assumed * count);
  if ((assumed < 1 && proposal > current) || (assumed > 1 && proposal < current)) return current;
  return proposal;
}
