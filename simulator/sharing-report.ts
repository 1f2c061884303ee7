// What N streams per GPU save: every policy simulated on the same trace and seed once per streams-per-GPU
// value, side by side with the waits, so a saving that costs waits (fewer, busier nodes; slower co-tenant
// start-up) shows in the same row. Savings are against 1 stream per GPU, which is always simulated.
import type { Model } from './model.js';
import { formatTable, percentile } from './report.js';
import type { SimulationResult } from './simulation.js';

export interface SharingRow {
  readonly policy: string;
  readonly streamsPerGpu: number;
  readonly waitP95: number;
  /** share of players waiting > 30 s or turned away */
  readonly over30s: number;
  /** GPU-hours the nodes were billed for (∫ nodes × GPUs per node) */
  readonly nodeGpuHours: number;
  readonly nodeHours: number;
  /** GPU-hours held by pods (shares of GPUs under sharing) */
  readonly podGpuHours: number;
  /** saved against 1 stream per GPU, same policy */
  readonly savedNodeGpuHours: number;
  readonly savedNodeHours: number;
  /** time-weighted mean slowdown of streams (1 = alone on a GPU) */
  readonly slowdown: number;
}

/** The streams-per-GPU values to compare: 1 first (the baseline), then the others in order, once each. */
export function sharingValues(values: readonly number[]): number[] {
  return [1, ...values.filter((v, i) => v !== 1 && values.indexOf(v) === i)];
}

function over30(r: SimulationResult): number {
  let n = 0;
  for (const w of r.waits) if (Number.isNaN(w) || w > 30) n++;
  return r.players === 0 ? 0 : n / r.players;
}

/**
 * Runs `simulateWith(model)` for each policy and value and returns one row per pair. `base` is the model
 * as configured; only streamsPerGpu changes between runs.
 */
export function compareSharing(
  policies: readonly string[],
  values: readonly number[],
  base: Model,
  simulateWith: (policy: string, model: Model) => SimulationResult,
): SharingRow[] {
  const rows: SharingRow[] = [];
  for (const policy of policies) {
    let baseline: SimulationResult | undefined;
    for (const n of sharingValues(values)) {
      const r = simulateWith(policy, { ...base, streamsPerGpu: n, gpusPerPod: n > 1 ? 1 : base.gpusPerPod });
      baseline ??= r;
      const served = r.waits.filter((w) => !Number.isNaN(w)).sort();
      rows.push({
        policy,
        streamsPerGpu: n,
        waitP95: percentile(served, 95),
        over30s: over30(r),
        nodeGpuHours: r.nodeGpuSeconds / 3600,
        nodeHours: r.nodeSeconds / 3600,
        podGpuHours: r.gpuSeconds / 3600,
        savedNodeGpuHours: (baseline.nodeGpuSeconds - r.nodeGpuSeconds) / 3600,
        savedNodeHours: (baseline.nodeSeconds - r.nodeSeconds) / 3600,
        slowdown: r.streamSlowdown,
      });
    }
  }
  return rows;
}

export const SHARING_COLUMNS = [
  'policy',
  'streams/GPU',
  'wait p95 s',
  '>30 s',
  'node GPU-h',
  'saved',
  'node-h',
  'saved',
  'pod GPU-h',
  'slowdown',
] as const;

export function formatSharingTable(rows: readonly SharingRow[]): string {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const h = (v: number) => v.toFixed(1);
  return formatTable(
    SHARING_COLUMNS,
    rows.map((r) => [
      r.policy,
      String(r.streamsPerGpu),
      Number.isNaN(r.waitP95) ? '-' : r.waitP95.toFixed(1),
      pct(r.over30s),
      h(r.nodeGpuHours),
      r.streamsPerGpu === 1 ? '-' : h(r.savedNodeGpuHours),
      h(r.nodeHours),
      r.streamsPerGpu === 1 ? '-' : h(r.savedNodeHours),
      h(r.podGpuHours),
      `×${r.slowdown.toFixed(2)}`,
    ]),
  );
}
