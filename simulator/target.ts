// The kit's autoscaling target, as a pure evaluation: on an SMSE-pattern day and on a launch spike, a
// configuration must keep the share of players waiting > 30 s (turned away counts as waiting) at ≤ ⅓ of
// the original kit's policy, at ≤ 1.25× its node GPU-hours. Each scenario is pooled over several seeds
// (players summed, GPU-hours averaged): one seed's launch has only ~65 players.
import { loadKitConfig } from '../common/kit-config.js';
import { generateArrivals, type Pattern } from './arrivals.js';
import { parseDistribution } from './distribution.js';
import { DEFAULT_MODEL, type Model } from './model.js';
import { resolvePolicies } from './policies.js';
import { summarize } from './report.js';
import { simulate } from './simulation.js';

export interface Scenario {
  readonly name: string;
  readonly pattern: Pattern;
  readonly ratePerHour: number;
  readonly hours: number;
  readonly seeds: readonly number[];
}

/** The two documented workloads (simulator/README.md). */
export const TARGET_SCENARIOS: readonly Scenario[] = [
  { name: 'SMSE day', pattern: 'smse', ratePerHour: 20, hours: 24, seeds: [1, 2, 3, 4, 5] },
  {
    name: 'launch spike',
    pattern: 'launch',
    ratePerHour: 6,
    hours: 8,
    seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  },
];

export const TARGET = { waitShare: 1 / 3, gpuHours: 1.25 } as const;

/** A configuration: a built-in policy name under a kit config (.env values over the defaults). */
export interface Candidate {
  readonly label: string;
  readonly policy: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface Outcome {
  readonly label: string;
  /** pooled share of players waiting > 30 s or turned away */
  readonly over30s: number;
  /** mean node GPU-hours per run */
  readonly nodeGpuHours: number;
}

export function evaluate(c: Candidate, s: Scenario, model: Model = DEFAULT_MODEL): Outcome {
  const kit = loadKitConfig(c.env);
  const [policy] = resolvePolicies([c.policy], kit, []);
  let players = 0;
  let waiting = 0;
  let gpuHours = 0;
  for (const seed of s.seeds) {
    const arrivals = generateArrivals({
      pattern: s.pattern,
      ratePerHour: s.ratePerHour,
      hours: s.hours,
      session: parseDistribution('lognormal:600,2400'),
      seed,
    });
    const sum = summarize(
      simulate({
        arrivals,
        horizonSeconds: s.hours * 3600,
        policy: policy!,
        model: { ...model, drainTimeoutSeconds: kit.DRAIN_TIMEOUT_SECONDS },
        seed,
      }),
    );
    players += sum.players;
    waiting += sum.over30s * sum.players;
    gpuHours += sum.nodeGpuHours;
  }
  return {
    label: c.label,
    over30s: players === 0 ? 0 : waiting / players,
    nodeGpuHours: gpuHours / s.seeds.length,
  };
}

/** Whether `o` meets the target against the original kit's outcome `base`. */
export function meetsTarget(o: Outcome, base: Outcome): boolean {
  return (
    o.over30s <= base.over30s * TARGET.waitShare && o.nodeGpuHours <= base.nodeGpuHours * TARGET.gpuHours
  );
}

/** Outcomes not dominated by another (lower or equal on both, lower on one): the wait/cost Pareto front. */
export function paretoFront(outcomes: readonly Outcome[]): Outcome[] {
  return outcomes.filter(
    (o) =>
      !outcomes.some(
        (p) =>
          p !== o &&
          p.over30s <= o.over30s &&
          p.nodeGpuHours <= o.nodeGpuHours &&
          (p.over30s < o.over30s || p.nodeGpuHours < o.nodeGpuHours),
      ),
  );
}
