// How often one client may make the router look for a pod: a token bucket per client address, taken for
// every arrival and every retry after a granted pod failed. One client can then never drive more than
// `burst` plus `ratePerSecond` allocation attempts a second, however many sockets it opens. Pure apart
// from the clock the caller passes.

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets kept at most: beyond it full (idle) ones are forgotten, then the oldest; bounds memory under
 * address churn. */
const MAX_BUCKETS = 10_000;
/** The scan for full buckets runs at most this often: under a flood from ever-new addresses none is full,
 * and scanning every bucket on every arrival would make each arrival cost O(MAX_BUCKETS). */
const PRUNE_EVERY_MS = 1000;

export class ClientLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private prunedAt = -Infinity;

  /** `ratePerSecond` 0 turns the bound off. */
  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {}

  /** Takes one attempt for `client`: 0 when allowed now, else the milliseconds until one would be. */
  take(client: string, now = Date.now()): number {
    if (this.ratePerSecond <= 0) return 0;
    let b = this.buckets.get(client);
    if (!b) {
      if (this.buckets.size >= MAX_BUCKETS) this.makeRoom(now);
      b = { tokens: this.burst, at: now };
      this.buckets.set(client, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) * this.ratePerSecond) / 1000);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - b.tokens) * 1000) / this.ratePerSecond);
  }

  get size(): number {
    return this.buckets.size;
  }

  private makeRoom(now: number): void {
    if (now - this.prunedAt >= PRUNE_EVERY_MS) {
      this.prunedAt = now;
      for (const [k, b] of this.buckets)
        if (b.tokens + ((now - b.at) * this.ratePerSecond) / 1000 >= this.burst) this.buckets.delete(k);
    }
    // Still full: forget the buckets created longest ago (a Map iterates in insertion order). Such a client
    // gets a fresh burst, as every new address does anyway.
    for (const k of this.buckets.keys()) {
      if (this.buckets.size < MAX_BUCKETS) break;
      this.buckets.delete(k);
    }
  }
}

/**
 * The client's address: `trustedHops` proxies in front of the router (the ingress) each appended the
 * address they saw to X-Forwarded-For, so the entry that many places from the right of
 * [X-Forwarded-For…, peer] is the first one no client could forge. With no header, the peer itself.
 */
export function clientAddress(
  forwardedFor: string | string[] | undefined,
  peer: string | undefined,
  trustedHops: number,
): string {
  const listed = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const chain = [...listed, peer ?? 'unknown'];
  return chain[Math.max(0, chain.length - 1 - trustedHops)] ?? 'unknown';
}

/** Back-off before a player whose granted pod failed tries again: 250 ms doubling to 8 s. */
export function retryDelayMs(failures: number): number {
  return Math.min(8000, 250 * 2 ** Math.max(0, failures - 1));
}
