// Player arrivals: a CSV trace, or a generator. Generators draw a non-homogeneous Poisson process by
// thinning (Lewis–Shedler) against the pattern's peak rate, and session lengths from a distribution, all
// from one seeded stream so a seed names one exact trace.
import { SIM_ERRORS, SimError } from './errors.js';
import { sample, type Distribution } from './distribution.js';
import { Random } from './random.js';

export interface Arrival {
  /** seconds since the start of the simulation */
  readonly at: number;
  /** how long the player streams once allocated */
  readonly session: number;
}

export const PATTERNS = ['poisson', 'smse', 'diurnal', 'flash', 'launch'] as const;
export type Pattern = (typeof PATTERNS)[number];

export interface GeneratorOptions {
  readonly pattern: Pattern;
  /** mean arrivals per hour of the base load */
  readonly ratePerHour: number;
  readonly hours: number;
  readonly session: Distribution;
  readonly seed: number;
}

/** SMSE pattern: base periods three times longer than peaks; peaks at double the base rate. */
const SMSE_PEAK_SECONDS = 20 * 60;
const SMSE_BASE_SECONDS = 3 * SMSE_PEAK_SECONDS;
/** Diurnal: a day-long sine between 20 % and 180 % of the mean, lowest at 04:00, highest at 16:00. */
const DIURNAL_SWING = 0.8;
/** Flash crowd: 8× the base rate for ten minutes starting at 40 % of the run, then an hour-long decay. */
const FLASH_FACTOR = 8;
const FLASH_SECONDS = 10 * 60;
const FLASH_DECAY_SECONDS = 60 * 60;
/** Launch: a known release — the base rate, then 40/6 × it for 30 minutes from a quarter of the run on
 *  (at --rate 6: 6 players/h, then 40/h), then the base rate again. */
const LAUNCH_FACTOR = 40 / 6;
const LAUNCH_SECONDS = 30 * 60;
/** Where the launch starts, as a share of the run. */
export const LAUNCH_AT = 0.25;

/** Arrival rate multiplier of a pattern at time t (seconds), and its maximum. */
export function rateFactor(pattern: Pattern, t: number, hours: number): number {
  switch (pattern) {
    case 'poisson':
      return 1;
    case 'smse':
      return t % (SMSE_BASE_SECONDS + SMSE_PEAK_SECONDS) >= SMSE_BASE_SECONDS ? 2 : 1;
    case 'diurnal':
      return 1 + DIURNAL_SWING * Math.sin(((t / 3600 - 10) / 24) * 2 * Math.PI);
    case 'launch': {
      const start = hours * 3600 * LAUNCH_AT;
      return t >= start && t < start + LAUNCH_SECONDS ? LAUNCH_FACTOR : 1;
    }
    case 'flash': {
      const start = hours * 3600 * 0.4;
      if (t < start) return 1;
      if (t < start + FLASH_SECONDS) return FLASH_FACTOR;
      return 1 + (FLASH_FACTOR - 1) * Math.exp(-(t - start - FLASH_SECONDS) / (FLASH_DECAY_SECONDS / 3));
    }
  }
}

const PEAK_FACTOR: Record<Pattern, number> = {
  poisson: 1,
  smse: 2,
  diurnal: 1 + DIURNAL_SWING,
  flash: FLASH_FACTOR,
  launch: LAUNCH_FACTOR,
};

/** The most arrivals one generated run may hold in memory (a few hundred MB); beyond it the CLI refuses. */
export const MAX_GENERATED_ARRIVALS = 2_000_000;

/** An upper bound on a generated trace's arrivals: the pattern's peak rate over the whole run. */
export function arrivalsUpperBound(pattern: Pattern, ratePerHour: number, hours: number): number {
  return ratePerHour * hours * PEAK_FACTOR[pattern];
}

export function generateArrivals(o: GeneratorOptions): Arrival[] {
  const rng = new Random(o.seed).fork(`arrivals:${o.pattern}`);
  const sessions = new Random(o.seed).fork('sessions');
  const end = o.hours * 3600;
  const peak = (o.ratePerHour / 3600) * PEAK_FACTOR[o.pattern];
  const out: Arrival[] = [];
  if (peak <= 0) return out;
  let t = 0;
  for (;;) {
    t += rng.exponential(1 / peak);
    if (t >= end) break;
    const accept = (rateFactor(o.pattern, t, o.hours) * o.ratePerHour) / 3600 / peak;
    if (rng.next() < accept) out.push({ at: t, session: Math.max(1, sample(o.session, sessions)) });
  }
  return out;
}

/** Hard cap on trace rows: a trace is a workload description, not a data dump. */
const MAX_TRACE_ROWS = 2_000_000;

/**
 * Parses `arrival_seconds,session_seconds` rows (a header as the first content line and `#` comments
 * anywhere, rows in any order — they are sorted). Every bad row is reported, up to 20, in one SimError.
 */
export function parseTrace(text: string, source = 'trace'): Arrival[] {
  const out: Arrival[] = [];
  const problems: string[] = [];
  const lines = text.split(/\r?\n/);
  let first = true;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const cells = line.split(',').map((c) => c.trim());
    // The header is the first content line, wherever comments and blank lines put it.
    const header = first && cells.some((c) => c !== '' && Number.isNaN(Number(c)));
    first = false;
    if (header) return;
    const at = Number(cells[0]);
    const session = Number(cells[1]);
    if (
      cells.length < 2 ||
      cells[0] === '' ||
      cells[1] === '' ||
      !Number.isFinite(at) ||
      !Number.isFinite(session) ||
      at < 0 ||
      session <= 0
    ) {
      if (problems.length < 20)
        problems.push(
          `${source}:${i + 1}: expected arrival_seconds ≥ 0, session_seconds > 0; got ${JSON.stringify(line.slice(0, 80))}`,
        );
      return;
    }
    out.push({ at, session });
  });
  if (out.length > MAX_TRACE_ROWS) problems.push(`${source}: more than ${MAX_TRACE_ROWS} rows`);
  if (problems.length > 0) throw new SimError(SIM_ERRORS.trace, `invalid trace ${source}`, problems);
  if (out.length === 0)
    throw new SimError(SIM_ERRORS.trace, `invalid trace ${source}`, [`${source}: no arrivals`]);
  out.sort((a, b) => a.at - b.at);
  return out;
}

export function formatTrace(arrivals: readonly Arrival[]): string {
  return `arrival_seconds,session_seconds\n${arrivals.map((a) => `${a.at.toFixed(3)},${a.session.toFixed(3)}`).join('\n')}\n`;
}
