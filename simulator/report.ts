// Per-policy outcome figures and the side-by-side table. "Waiting > 5 s / > 30 s" counts players turned away
// as failing both (they never got a stream); the wait percentiles are over players who got one.
import type { SimulationResult } from './simulation.js';

export interface Summary {
  readonly policy: string;
  readonly players: number;
  readonly served: number;
  readonly waitP50: number;
  readonly waitP95: number;
  readonly waitP99: number;
  readonly waitMax: number;
  readonly over5s: number;
  readonly over30s: number;
  readonly turnedAway: number;
  readonly sessionsCut: number;
  readonly gpuHours: number;
  readonly nodeGpuHours: number;
  readonly idleGpuShare: number;
  readonly scaleEvents: number;
}

/** Nearest-rank percentile of a sorted array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(r: SimulationResult): Summary {
  const served = r.waits.filter((w) => !Number.isNaN(w)).sort();
  const away = r.turnedAway.queueFull + r.turnedAway.timeout + r.turnedAway.gaveUp;
  const share = (limit: number) =>
    r.players === 0 ? 0 : (served.filter((w) => w > limit).length + away) / r.players;
  return {
    policy: r.policy,
    players: r.players,
    served: served.length,
    waitP50: percentile(served, 50),
    waitP95: percentile(served, 95),
    waitP99: percentile(served, 99),
    waitMax: served.length > 0 ? served[served.length - 1]! : NaN,
    over5s: share(5),
    over30s: share(30),
    turnedAway: away,
    sessionsCut: r.sessionsCut,
    gpuHours: r.gpuSeconds / 3600,
    nodeGpuHours: r.nodeGpuSeconds / 3600,
    idleGpuShare: r.gpuSeconds > 0 ? 1 - r.busyGpuSeconds / r.gpuSeconds : 0,
    scaleEvents: r.scaleUps + r.scaleDowns,
  };
}

const sec = (v: number) => (Number.isNaN(v) ? '-' : v < 10 ? v.toFixed(1) : v.toFixed(0));
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

export const TABLE_COLUMNS = [
  'policy',
  'players',
  'wait p50 s',
  'p95 s',
  'p99 s',
  'max s',
  '>5 s',
  '>30 s',
  'turned away',
  'cut',
  'GPU-h',
  'node GPU-h',
  'idle GPU',
  'scale events',
] as const;

export function tableRows(summaries: readonly Summary[]): string[][] {
  return summaries.map((s) => [
    s.policy,
    String(s.players),
    sec(s.waitP50),
    sec(s.waitP95),
    sec(s.waitP99),
    sec(s.waitMax),
    pct(s.over5s),
    pct(s.over30s),
    String(s.turnedAway),
    String(s.sessionsCut),
    s.gpuHours.toFixed(1),
    s.nodeGpuHours.toFixed(1),
    pct(s.idleGpuShare),
    String(s.scaleEvents),
  ]);
}

/** A plain aligned text table (first column left-aligned, numbers right-aligned). */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
