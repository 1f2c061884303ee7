// Reconnect pacing: exponential with full jitter, so a fleet of streamers that lost the same sidecar does not
// reconnect in lock-step. Pure (the random source is a parameter).

/** Delay before reconnect attempt `attempt` (0-based): uniform in [min, min(max, min·2^attempt)]. */
export function backoffDelay(
  attempt: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(minMs + (ceiling - minMs) * random());
}
