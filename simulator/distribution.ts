// Durations that vary from pod to pod (image pull, app start, node boot, player patience), described in a
// short text form usable on the command line, in .env and in policy files:
//   "30" or "fixed:30", "uniform:20..60", "exp:30" (mean), "lognormal:40,120" (median, 95th percentile).
import { SIM_ERRORS, SimError } from './errors.js';
import type { Random } from './random.js';

export type Distribution =
  | { readonly kind: 'fixed'; readonly value: number }
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number }
  | { readonly kind: 'exponential'; readonly mean: number }
  | { readonly kind: 'lognormal'; readonly median: number; readonly p95: number };

/** z-score of the 95th percentile of a standard normal */
const Z95 = 1.6448536269514722;

export function parseDistribution(text: string, what = 'distribution'): Distribution {
  const bad = (why: string) =>
    new SimError(SIM_ERRORS.distribution, `${what}=${JSON.stringify(text)}: ${why}`);
  const num = (s: string | undefined) => {
    const v = Number(s);
    if (s === undefined || s.trim() === '' || !Number.isFinite(v) || v < 0) throw bad('numbers must be ≥ 0');
    return v;
  };
  const t = text.trim();
  const [kind, args] = t.includes(':')
    ? [t.slice(0, t.indexOf(':')), t.slice(t.indexOf(':') + 1)]
    : ['fixed', t];
  /** The two numbers of `args` around `separator`, each checked as num() does. */
  const pair = (separator: string): [number, number] => {
    const [a, b] = args.split(separator);
    return [num(a), num(b)];
  };
  switch (kind) {
    case 'fixed':
      return { kind: 'fixed', value: num(args) };
    case 'uniform': {
      const [min, max] = pair('..');
      if (max < min) throw bad('uniform needs min..max with min ≤ max');
      return { kind: 'uniform', min, max };
    }
    case 'exp':
    case 'exponential':
      return { kind: 'exponential', mean: num(args) };
    case 'lognormal': {
      const [median, p95] = pair(',');
      if (median <= 0 || p95 < median) throw bad('lognormal needs median > 0 and p95 ≥ median');
      return { kind: 'lognormal', median, p95 };
    }
    default:
      throw bad('use fixed:S, uniform:A..B, exp:MEAN or lognormal:MEDIAN,P95');
  }
}

export function sample(d: Distribution, rng: Random): number {
  switch (d.kind) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return d.min + (d.max - d.min) * rng.next();
    case 'exponential':
      return rng.exponential(d.mean);
    case 'lognormal': {
      const sigma = Math.log(d.p95 / d.median) / Z95;
      return d.median * Math.exp(sigma * rng.normal());
    }
  }
}

export function mean(d: Distribution): number {
  switch (d.kind) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return (d.min + d.max) / 2;
    case 'exponential':
      return d.mean;
    case 'lognormal': {
      const sigma = Math.log(d.p95 / d.median) / Z95;
      return d.median * Math.exp((sigma * sigma) / 2);
    }
  }
}

export function formatDistribution(d: Distribution): string {
  switch (d.kind) {
    case 'fixed':
      return `fixed:${d.value}`;
    case 'uniform':
      return `uniform:${d.min}..${d.max}`;
    case 'exponential':
      return `exp:${d.mean}`;
    case 'lognormal':
      return `lognormal:${d.median},${d.p95}`;
  }
}
