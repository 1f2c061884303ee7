// Warm capacity: how many free streams to keep so that the players who arrive while new capacity starts
// find one. By Little's law, the players arriving during the time T it takes new capacity to come are
// λ × T on average (λ = arrivals per second), so the buffer is ⌈λ × T⌉, clamped to [min, max]. T is the
// measured time to new capacity, the larger of the mean pod creation → Ready (sidecar histogram; it holds
// the node wait of pods that needed a new node) and the mean GPU node creation → Ready (kube-state-metrics;
// with balloon pods a new pod starts on a warm node at once, and it is the node that takes T to replace).
// Adding the two would count a node wait twice. This is the SMSE paper's durable vs ephemeral trade-off: keep "durable" (warm) capacity sized
// by observed demand and start-up cost, and let everything else be "ephemeral".
//
// The formula is written once, over an abstract algebra, and read two ways: as PromQL for the kit's
// recording rule, and as numbers in the simulator — so the rule and the simulation cannot drift.

/** The measured inputs of the formula. */
export type WarmInput = 'arrivalRate' | 'podReadySeconds' | 'nodeReadySeconds';

export interface WarmAlgebra<T> {
  input(name: WarmInput): T;
  max(a: T, b: T): T;
  mul(a: T, b: T): T;
  ceil(a: T): T;
  clamp(a: T, min: number, max: number): T;
}

export interface WarmBounds {
  readonly min: number;
  readonly max: number;
}

/** T = max(T_pod, T_node): the time new capacity takes. */
export function timeToCapacity<T>(A: WarmAlgebra<T>): T {
  return A.max(A.input('podReadySeconds'), A.input('nodeReadySeconds'));
}

/** clamp(⌈λ × T⌉, min, max) — the one definition. */
export function warmBuffer<T>(A: WarmAlgebra<T>, b: WarmBounds): T {
  return A.clamp(A.ceil(A.mul(A.input('arrivalRate'), timeToCapacity(A))), b.min, b.max);
}

/** Used until the cluster has measured anything (no pod or node started within the windows). */
export const WARM_FALLBACK = {
  /** image pull on a node without it plus app start: the simulator's default model medians */
  podReadySeconds: 150,
  /** GPU node request to Ready, the simulator's default model median */
  nodeReadySeconds: 240,
} as const;

/** The algebra of numbers (the simulator's reading). */
function numbers(inputs: Record<WarmInput, number>): WarmAlgebra<number> {
  return {
    input: (name) => inputs[name],
    max: Math.max,
    mul: (x, y) => x * y,
    ceil: Math.ceil,
    clamp: (x, lo, hi) => Math.min(hi, Math.max(lo, x)),
  };
}

/** The algebra of PromQL over label-less one-element vectors (the recording rule's reading). */
function promql(inputs: Record<WarmInput, string>): WarmAlgebra<string> {
  return {
    input: (name) => inputs[name],
    // Both sides are label-less one-element vectors: keep the left one where it is not smaller.
    max: (x, y) => `((${x} >= ${y}) or ${y})`,
    mul: (x, y) => `(${x} * ${y})`,
    ceil: (x) => `ceil(${x})`,
    clamp: (x, lo, hi) => `clamp(${x}, ${lo}, ${hi})`,
  };
}

export function warmBufferValue(inputs: Record<WarmInput, number>, b: WarmBounds): number {
  return warmBuffer(numbers(inputs), b);
}
export function warmBufferPromQL(inputs: Record<WarmInput, string>, b: WarmBounds): string {
  return warmBuffer(promql(inputs), b);
}
export function timeToCapacityValue(inputs: Record<WarmInput, number>): number {
  return timeToCapacity(numbers(inputs));
}
export function timeToCapacityPromQL(inputs: Record<WarmInput, string>): string {
  return timeToCapacity(promql(inputs));
}
