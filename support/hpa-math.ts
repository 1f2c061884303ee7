// The replica arithmetic of the Kubernetes HPA for the two Object-metric target types our manifests use,
// kept minimal (no stabilisation windows, no behaviour policies — the simulator models those). It lets the
// tests turn live adapter values into the replica counts this folder's README promises. The arithmetic
// itself is common/hpa-replicas.ts, which the simulator's HPA model uses too.
import {
  HPA_TOLERANCE,
  averageValueTargetReplicas,
  symmetricTolerance,
  valueTargetReplicas,
} from '../common/hpa-replicas.js';

export { HPA_TOLERANCE };

/** The target of an Object metric; the controller refuses a target of 0 or below. */
function positive(target: number): number {
  if (!(target > 0)) throw new RangeError(`target must be > 0 (got ${target})`);
  return target;
}

/**
 * Object metric with a `Value` target (e.g. player_stream_pool_ratio, target 0.9). A pod whose streamer is
 * not up (or that drains) fails /readyz and is left out of `readyPods`.
 */
export const desiredForValue = (
  currentReplicas: number,
  readyPods: number,
  value: number,
  target: number,
  tolerance = HPA_TOLERANCE,
): number =>
  valueTargetReplicas(value / positive(target), currentReplicas, readyPods, symmetricTolerance(tolerance));

/** Object metric with an `AverageValue` target (e.g. pixelstream_demand, target 1). */
export const desiredForAverageValue = (
  currentReplicas: number,
  value: number,
  target: number,
  tolerance = HPA_TOLERANCE,
): number =>
  averageValueTargetReplicas(value, positive(target), currentReplicas, symmetricTolerance(tolerance));

/** minReplicas/maxReplicas clamp applied after the recommendation. */
export function clampReplicas(desired: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, desired));
}
