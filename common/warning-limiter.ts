// Keeps coded warnings readable under abuse: coturn's auth refusals, the router's refused upgrades, the
// sidecar's refused reservation requests and streamer sockets. Anyone who can reach a listener can send
// requests that each become a warning: per key (code + user, peer or client) a retrying client is already
// limited, but a client that changes its name or address on every request is not. A total budget per
// window bounds that, and the next allowed line says how many were left out; counters still see every event.

/** One warning per key per window: a client retrying the same bad credential logs once. */
export const WARN_INTERVAL_MS = 10_000;
/** Coded warnings per window in total; enough for a real outage (every player refused) to show its users. */
export const WARN_BUDGET = 50;
/** Keys remembered before the table is reset (bounded memory under a username flood). */
const WARN_KEYS_MAX = 10_000;

export interface WarningVerdict {
  allow: boolean;
  /** On an allowed warning: how many were dropped by the total budget since the last allowed one. */
  suppressed: number;
}

export class WarningLimiter {
  private readonly last = new Map<string, number>();
  private windowStart = -Infinity;
  private inWindow = 0;
  private suppressed = 0;

  check(key: string, now = Date.now()): WarningVerdict {
    const prev = this.last.get(key);
    if (prev !== undefined && now - prev < WARN_INTERVAL_MS) return { allow: false, suppressed: 0 };
    if (now - this.windowStart >= WARN_INTERVAL_MS) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (this.inWindow >= WARN_BUDGET) {
      this.suppressed++;
      return { allow: false, suppressed: 0 };
    }
    this.inWindow++;
    if (this.last.size >= WARN_KEYS_MAX) this.last.clear();
    this.last.set(key, now);
    const suppressed = this.suppressed;
    this.suppressed = 0;
    return { allow: true, suppressed };
  }
}
