// The replica arithmetic of the Kubernetes HPA controller's replica calculator for Object metrics, written
// once: support/ turns live adapter values into the replica counts its README promises with it, and the
// simulator's HPA model proposes replicas with it. Pure.

/** The controller's default tolerance (--horizontal-pod-autoscaler-tolerance). */
export const HPA_TOLERANCE = 0.1;

/** Tolerance band around a usage ratio of 1; `behavior` may set scale-up and scale-down apart. */
export interface Tolerances {
  readonly up: number;
  readonly down: number;
}

export const symmetricTolerance = (t: number = HPA_TOLERANCE): Tolerances => ({ up: t, down: t });

/** Ratio band inside which the controller leaves the count alone (per direction since Kubernetes 1.33). */
export const withinTolerance = (t: Tolerances, ratio: number): boolean =>
  1 - t.down <= ratio && ratio <= 1 + t.up;

/**
 * The controller's step for a usage ratio measured over `pods`: inside the tolerance band the current
 * count, else ⌈ratio × pods⌉ (Object `Value` targets, and Pods metrics when every pod reported).
 */
export function scaleByRatio(ratio: number, current: number, pods: number, tolerances: Tolerances): number {
  if (withinTolerance(tolerances, ratio)) return current;
  return Math.ceil(ratio * pods);
}

/**
 * Object metric with a `Value` target: ratio = value / target; with no replicas at all ceil(ratio); inside
 * the tolerance band the current count; else ceil(ratio × ready pods). The controller multiplies by the
 * pods that are Running and Ready, not by the replica count.
 */
export function valueTargetReplicas(
  ratio: number,
  specReplicas: number,
  readyPods: number,
  tolerances: Tolerances,
): number {
  if (specReplicas === 0) return Math.ceil(ratio);
  return scaleByRatio(ratio, specReplicas, readyPods, tolerances);
}

/**
 * Object metric with an `AverageValue` target: the value divided by the target, independent of the current
 * count, except that the count stays while value / (target × status.replicas) is within tolerance.
 */
export function averageValueTargetReplicas(
  value: number,
  target: number,
  statusReplicas: number,
  tolerances: Tolerances,
): number {
  const ratio = statusReplicas > 0 ? value / (target * statusReplicas) : Infinity;
  if (withinTolerance(tolerances, ratio)) return statusReplicas;
  return Math.ceil(value / target);
}
