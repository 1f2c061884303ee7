// Command-line options of `npm run simulate`, checked once with node's parseArgs; every problem is listed
// together with the usage text.
import { parseArgs } from 'node:util';
import { MAX_GENERATED_ARRIVALS, PATTERNS, arrivalsUpperBound, type Pattern } from './arrivals.js';
import { parseDistribution, type Distribution } from './distribution.js';
import { SIM_ERRORS, SimError } from './errors.js';
import type { DeletionOrder } from './model.js';

/** Simulated hours of a generated workload when --hours is not given. */
export const DEFAULT_HOURS = 24;

export const USAGE = `usage: npm run simulate -- [options]
  --trace FILE.csv        arrivals as arrival_seconds,session_seconds rows
  --pattern NAME          poisson | smse | diurnal | flash | launch (default smse; ignored with --trace)
  --hours H               simulated hours (default 24; with --trace: up to the last arrival)
  --rate R                base arrivals per hour (default 20)
  --session DIST          session length, e.g. lognormal:600,2400 (default; see README for forms)
  --seed S                random seed (default 1)
  --policies a,b,c        configured, original, buffer, buffer-N, adaptive, or names from --config
                          (default original,buffer-3,adaptive,adaptive+balloon-1+prepull,configured)
  --config FILE           YAML/JSON with user policies and model overrides
  --env FILE              the kit's .env (default .env; missing = defaults)
  --deletion-order O      cost | arbitrary (ReplicaSet victims; default cost)
  --streams-per-gpu N,M   also compare N (and M…) streams per GPU against 1: waits, GPU-hours, node-hours
  --co-tenant-slowdown X  slow-down per other stream on the same GPU (default 0.1 = 10 %)
  --out DIR               where the HTML report goes (default simulation-out)
  --apply NAME            write that policy's parameters into the --env file
  --help`;

export interface CliOptions {
  readonly trace: string | undefined;
  readonly pattern: Pattern;
  readonly hours: number | undefined;
  readonly rate: number;
  readonly session: Distribution;
  readonly seed: number;
  readonly policies: string[];
  readonly config: string | undefined;
  readonly env: string;
  readonly deletionOrder: DeletionOrder | undefined;
  /** streams-per-GPU values to compare against 1 (empty = no comparison) */
  readonly streamsPerGpu: number[];
  readonly coTenantSlowdown: number | undefined;
  readonly out: string;
  readonly apply: string | undefined;
  readonly help: boolean;
}

export const DEFAULT_POLICIES = [
  'original',
  'buffer-3',
  'adaptive',
  'adaptive+balloon-1+prepull',
  'configured',
];

export function parseCli(argv: readonly string[]): CliOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        trace: { type: 'string' },
        pattern: { type: 'string' },
        hours: { type: 'string' },
        rate: { type: 'string' },
        session: { type: 'string' },
        seed: { type: 'string' },
        policies: { type: 'string' },
        config: { type: 'string' },
        env: { type: 'string' },
        'deletion-order': { type: 'string' },
        'streams-per-gpu': { type: 'string' },
        'co-tenant-slowdown': { type: 'string' },
        out: { type: 'string' },
        apply: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new SimError(SIM_ERRORS.usage, 'bad arguments', [(err as Error).message]);
  }
  const problems: string[] = [];
  const str = (k: string) => (typeof values[k] === 'string' ? values[k] : undefined);
  const num = (k: string, def: number | undefined, min: number, max: number, integer = false) => {
    const s = str(k);
    if (s === undefined) return def;
    const v = Number(s);
    if (s.trim() === '' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      problems.push(
        `--${k} ${JSON.stringify(s)}: must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}`,
      );
      return def;
    }
    return v;
  };
  const pattern = str('pattern') ?? 'smse';
  if (!(PATTERNS as readonly string[]).includes(pattern))
    problems.push(`--pattern ${JSON.stringify(pattern)}: must be one of ${PATTERNS.join(', ')}`);
  if (str('trace') !== undefined && str('pattern') !== undefined)
    problems.push('--trace and --pattern exclude each other');
  const order = str('deletion-order');
  if (order !== undefined && order !== 'cost' && order !== 'arbitrary')
    problems.push(`--deletion-order ${JSON.stringify(order)}: must be cost or arbitrary`);
  let session: Distribution = parseDistribution('lognormal:600,2400');
  const sessionText = str('session');
  if (sessionText !== undefined) {
    try {
      session = parseDistribution(sessionText, '--session');
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  const streamsPerGpu = (str('streams-per-gpu') ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
    .map((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 48)
        problems.push(
          `--streams-per-gpu ${JSON.stringify(v)}: each value must be an integer between 1 and 48`,
        );
      return n;
    });
  const policies = (str('policies') ?? DEFAULT_POLICIES.join(','))
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (policies.length === 0) problems.push('--policies: name at least one policy');
  const options: CliOptions = {
    trace: str('trace'),
    pattern: pattern as Pattern,
    hours: num('hours', undefined, 0.01, 24 * 366),
    rate: num('rate', 20, 0, 10_000_000)!,
    session,
    seed: num('seed', 1, 0, 4294967295, true)!,
    policies,
    config: str('config'),
    env: str('env') ?? '.env',
    deletionOrder: order as DeletionOrder | undefined,
    streamsPerGpu,
    coTenantSlowdown: num('co-tenant-slowdown', undefined, 0, 10),
    out: str('out') ?? 'simulation-out',
    apply: str('apply'),
    help: values.help === true,
  };
  if (options.trace === undefined && (PATTERNS as readonly string[]).includes(options.pattern)) {
    const bound = arrivalsUpperBound(options.pattern, options.rate, options.hours ?? DEFAULT_HOURS);
    if (bound > MAX_GENERATED_ARRIVALS)
      problems.push(
        `--rate × --hours: up to ${Math.round(bound).toLocaleString('en')} arrivals at the ${options.pattern} pattern's peak; ` +
          `one run holds at most ${MAX_GENERATED_ARRIVALS.toLocaleString('en')} (lower --rate or --hours)`,
      );
  }
  if (problems.length > 0) throw new SimError(SIM_ERRORS.usage, 'bad arguments', problems);
  return options;
}
