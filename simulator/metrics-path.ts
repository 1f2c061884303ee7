// The path from the sidecars' gauges to the HPA: Prometheus scrapes a snapshot every interval, the adapter
// answers from the latest snapshot old enough (its own delay), and serves a series only after a relist has
// seen it. The adapter metrics are computed exactly as support/adapter-rules.ts defines them.
import { ADAPTER } from '../common/metric-names.js';

/** What one scrape saw, summed over the streamer pods (draining pods excluded, as the adapter does). */
export interface Snapshot {
  readonly time: number;
  /** pods that exported gauges (sidecar up: pod Running), draining included */
  readonly scrapedPods: number;
  /** Σ pixelstream_allocated over non-draining pods */
  readonly allocated: number;
  /** Σ pixelstream_available over non-draining pods */
  readonly available: number;
  /** Σ pixelstream_streamer_connected over non-draining pods */
  readonly streamers: number;
  /** Σ pixelstream_players over non-draining pods */
  readonly players: number;
  readonly draining: number;
  /** pixelstream_router_queue_length */
  readonly queued: number;
  /** counter: players that reached the router */
  readonly arrivalsTotal: number;
  /** per-pod gauges for Pods metrics, keyed by pod id */
  readonly perPod: ReadonlyMap<number, PodGauges>;
}

export interface PodGauges {
  readonly allocated: number;
  readonly available: number;
  readonly connected: number;
  readonly draining: number;
}

/** The adapter's Object metrics on the streamer Service, from one snapshot; undefined = no series. */
export function adapterMetric(name: string, s: Snapshot, buffer: number): number | undefined {
  if (s.scrapedPods === 0) return undefined; // every rule needs at least one sidecar series
  switch (name) {
    case ADAPTER.availableCount:
      return s.scrapedPods - s.draining > 0 ? s.available : undefined;
    case ADAPTER.poolRatio:
      return (s.players + s.queued) / Math.max(s.streamers, 1);
    case ADAPTER.demand:
      return s.allocated + s.queued + buffer;
    default:
      return undefined;
  }
}

/** Arrival rate (per second) over the window ending at `s`, from the counter history; like PromQL rate(). */
export function arrivalRate(history: readonly Snapshot[], s: Snapshot, windowSeconds: number): number {
  let first: Snapshot | undefined;
  for (const h of history) {
    if (h.time >= s.time - windowSeconds && h.time <= s.time) {
      first = h;
      break;
    }
  }
  if (first === undefined || first.time === s.time) return 0;
  // PromQL extrapolates the increase over the whole window; the plain slope is the same on average.
  return (s.arrivalsTotal - first.arrivalsTotal) / (s.time - first.time);
}

/** Scrape history with the adapter's view of it. */
export class MetricsPath {
  private readonly history: Snapshot[] = [];
  private firstScrape: number | undefined;

  constructor(
    private readonly delaySeconds: number,
    private readonly relistSeconds: number,
    private readonly keepSeconds: number,
  ) {}

  record(s: Snapshot): void {
    this.history.push(s);
    if (this.firstScrape === undefined) this.firstScrape = s.time;
    // Keep what the rate window and the adapter delay can still reach.
    const horizon = s.time - this.keepSeconds - this.delaySeconds - 1;
    let drop = 0;
    while (drop < this.history.length - 1 && this.history[drop]!.time < horizon) drop++;
    if (drop > 0) this.history.splice(0, drop);
  }

  /** The snapshot the adapter answers with at `now`, or undefined before the series is served. */
  view(now: number): Snapshot | undefined {
    if (this.firstScrape === undefined) return undefined;
    // First relist at or after the first scrape.
    const relist =
      this.relistSeconds > 0
        ? Math.ceil(this.firstScrape / this.relistSeconds) * this.relistSeconds
        : this.firstScrape;
    if (now < relist) return undefined;
    const cutoff = now - this.delaySeconds;
    for (let i = this.history.length - 1; i >= 0; i--) {
      const h = this.history[i]!;
      if (h.time <= cutoff) return h;
    }
    return undefined;
  }

  rate(s: Snapshot, windowSeconds: number): number {
    return arrivalRate(this.history, s, windowSeconds);
  }
}
