// Per-connection token bucket: a socket may burst, then is held to a steady message rate. Pure (time is
// passed in) so the maths is table-tested; the transport closes the socket with CLOSE.rateLimited on false.

export interface TokenBucket {
  /** Takes one token at `nowMs`; false when the bucket is empty. */
  take(nowMs: number): boolean;
}

/** `perSecond` 0 disables the limit. */
export function tokenBucket(perSecond: number, burst: number, startMs: number): TokenBucket {
  if (perSecond <= 0) return { take: () => true };
  let tokens = burst;
  let last = startMs;
  return {
    take(nowMs) {
      tokens = Math.min(burst, tokens + ((nowMs - last) * perSecond) / 1000);
      last = nowMs;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
