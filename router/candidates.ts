// Which sidecars to ask for a reservation, in what order. Pure: the allocator feeds it what it believes and
// tries the result in order. Beliefs are hints only — the sidecar's reservation is the lock.
import type { Endpoint } from './endpoints.js';

/** What this replica learnt about one sidecar from its own requests. */
export interface Belief {
  /** When a reservation was last refused (409) or granted to us: the pod is probably busy since then. */
  busySince?: number;
  /** Until when the sidecar is suspect (timed out, refused the connection, answered 5xx). */
  suspectUntil?: number;
}

/** Tiers in the order they are tried. */
export const Tier = {
  /** Discovery says not allocated and we saw nothing to the contrary. */
  free: 0,
  /** No hint either way (static discovery). */
  unknown: 1,
  /** Allocated label set, or we were refused / hold it ourselves. Oldest belief first. */
  busy: 2,
  /** Recently failed: tried last, so a dead pod costs a timeout only when nothing else is left. */
  suspect: 3,
} as const;
export type Tier = (typeof Tier)[keyof typeof Tier];

export function tierOf(ep: Endpoint, belief: Belief | undefined, now: number): Tier {
  if (belief?.suspectUntil !== undefined && belief.suspectUntil > now) return Tier.suspect;
  if (belief?.busySince !== undefined) return Tier.busy;
  if (ep.allocatedHint === true) return Tier.busy;
  if (ep.allocatedHint === false) return Tier.free;
  return Tier.unknown;
}

/**
 * Orders `endpoints` for one allocation round, leaving out those with a request already in flight.
 * Within a tier the order is shuffled with `random` so that replicas racing for the same pods spread out
 * instead of all colliding on the first one; busy pods are ordered oldest belief first.
 */
export function orderCandidates(
  endpoints: readonly Endpoint[],
  beliefs: ReadonlyMap<string, Belief>,
  inFlight: ReadonlySet<string>,
  now: number,
  random: () => number = Math.random,
): Endpoint[] {
  const ranked = endpoints
    .filter((ep) => !inFlight.has(ep.url))
    .map((ep) => {
      const belief = beliefs.get(ep.url);
      const tier = tierOf(ep, belief, now);
      const age = tier === Tier.busy ? (belief?.busySince ?? 0) : 0;
      return { ep, tier, age, shuffle: random() };
    });
  ranked.sort((a, b) => a.tier - b.tier || a.age - b.age || a.shuffle - b.shuffle);
  return ranked.map((r) => r.ep);
}
