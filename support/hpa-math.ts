// The replica arithmetic of the Kubernetes HPA for the two Object-metric target types our manifests use,
// kept minimal (no stabilisation windows, no behaviour policies — the simulator models those). It lets the
// tests turn live adapter values into the replica counts this folder's README promises.

/** The controller's default tolerance (--horizontal-pod-autoscaler-tolerance). */
export const HPA_TOLERANCE = 0.1;

/**
 * Object metric with a `Value` target (e.g. player_stream_pool_ratio, target 0.9), as the controller's
 * GetObjectMetricReplicas computes it: ratio = value / target; inside the tolerance band nothing changes,
 * else ceil(ratio × ready pods). The controller multiplies by the pods that are Running and Ready, not by
 * the replica count: a pod whose streamer is not up (or that drains) fails /readyz and is left out.
 * With no replicas at all it proposes ceil(ratio).
 */
export function desiredForValue(
  currentReplicas: number,
  readyPods: number,
  value: number,
  target: number,
  tolerance = HPA_TOLERANCE,
): number {
  if (!(target > 0)) throw new RangeError(`target must be > 0 (got ${target})`);
  const ratio = value / target;
  if (currentReplicas === 0) return Math.ceil(ratio);
  if (Math.abs(ratio - 1) <= tolerance) return currentReplicas;
  return Math.ceil(ratio * readyPods);
}

/**
 * Object metric with an `AverageValue` target (e.g. pixelstream_demand, target 1): the controller divides
 * the object's value by the target, independent of the current count, except that it keeps the current
 * count while value / (target × current) is within the tolerance band.
 */
export function desiredForAverageValue(
  currentReplicas: number,
  value: number,
  target: number,
  tolerance = HPA_TOLERANCE,
): number {
  if (!(target > 0)) throw new RangeError(`target must be > 0 (got ${target})`);
  const usageRatio = currentReplicas > 0 ? value / (target * currentReplicas) : Infinity;
  if (Math.abs(usageRatio - 1) <= tolerance) return currentReplicas;
  return Math.ceil(value / target);
}

/** minReplicas/maxReplicas clamp applied after the recommendation. */
export function clampReplicas(desired: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, desired));
}
