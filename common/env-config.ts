// Typed configuration from environment variables, checked once at start-up. Every component describes its
// variables with the rules below; a bad environment yields *every* problem (variable, value, rule) at once,
// and `configOrExit` stops the process with them — never a half-built server. (Plain functions rather than a
// schema library: loading zod cost every service about 10 MB of resident memory for these few rules.)
import { isIP } from 'node:net';
import { CodedError } from './coded-error.js';

/** Thrown (or returned) with one line per bad variable. */
export class ConfigError extends CodedError<'CONFIG_INVALID'> {
  constructor(readonly problems: string[]) {
    super(
      'CONFIG_INVALID',
      `invalid configuration (CONFIG_INVALID):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

type Env = Record<string, string | undefined>;

/** One variable's rule: its value from the raw text (undefined when unset or empty), or what is wrong. */
export interface EnvField<T> {
  read(raw: string | undefined): { ok: true; value: T } | { ok: false; problem: string };
}
/** A component's variables: name → rule. */
export type EnvShape = Record<string, EnvField<unknown>>;
/** The values `parseEnv` gives for a shape. */
export type EnvValues<S extends EnvShape> = { [K in keyof S]: S[K] extends EnvField<infer T> ? T : never };

const ok = <T>(value: T) => ({ ok: true as const, value });
const bad = (problem: string) => ({ ok: false as const, problem });
/** A rule for set values; unset, empty and whitespace-only values give `def`. */
const field = <T, D>(def: D, read: (v: string) => ReturnType<EnvField<T>['read']>): EnvField<T | D> => ({
  read: (raw) => (raw === undefined || raw.trim() === '' ? ok(def) : read(raw)),
});

/** A number matching `pattern` (else `problem`), in [min, max]. */
const inRange = (v: string, pattern: RegExp, problem: string, min: number, max: number) => {
  const n = Number(v);
  if (!pattern.test(v) || !Number.isFinite(n)) return bad(problem);
  if (n < min) return bad(`must be ≥ ${min}`);
  if (n > max) return bad(`must be ≤ ${max}`);
  return ok(n);
};

/** Integer in [min, max] with a default; "", unset → default. */
export const envInt = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER): EnvField<number> =>
  field(def, (v) => inRange(v, /^-?\d+$/, `must be an integer between ${min} and ${max}`, min, max));

/** Positive number (decimals allowed) with a default. */
export const envNumber = (def: number, min = 0, max = Number.MAX_VALUE): EnvField<number> =>
  field(def, (v) => inRange(v, /^-?\d+(\.\d+)?$/, 'must be a number', min, max));

/** TCP/UDP port; 0 allowed where `allowZero` (ephemeral, or "disabled" by convention). */
export const envPort = (def: number, allowZero = true) => envInt(def, allowZero ? 0 : 1, 65535);

const TRUE = ['true', '1', 'yes'];
const FALSE = ['false', '0', 'no'];
export const envBool = (def: boolean): EnvField<boolean> =>
  field(def, (v) =>
    TRUE.includes(v) ? ok(true) : FALSE.includes(v) ? ok(false) : bad('must be true or false'),
  );

export const envString = (def?: string): EnvField<string | undefined> => field(def, ok);

/**
 * A secret (token, shared secret). Empty means unset, as for every variable; a value of only whitespace is
 * refused instead: it is what an empty secret file gives, and reading it as unset would turn auth off
 * without a word.
 */
export const envSecret = (): EnvField<string | undefined> => ({
  read: (raw) =>
    raw === undefined || raw === ''
      ? ok(undefined)
      : raw.trim() === ''
        ? bad('is only whitespace (an empty secret file?); unset it to run without one')
        : ok(raw),
});

export const envEnum = <const T extends readonly [string, ...string[]]>(
  values: T,
  def: T[number],
): EnvField<T[number]> =>
  field(def, (v) => (values.includes(v) ? ok(v) : bad(`must be one of ${values.join(', ')}`)));

/** Comma-separated list; items trimmed, empties dropped. */
export const envList = (def: string[] = []): EnvField<string[]> =>
  field(def, (v) =>
    ok(
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  );

// A DNS name: dot-separated labels of letters, digits and inner hyphens (RFC 1123).
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Bind address: an IPv4/IPv6 literal or a host name (no port, no scheme). */
export const envHost = (def: string): EnvField<string> =>
  field(def, (v) =>
    isIP(v) !== 0 || HOSTNAME.test(v) ? ok(v) : bad('must be an IP address or a host name, without a port'),
  );

/** Absolute URL with one of the given protocols. */
export const envUrl = (protocols: string[], def?: string): EnvField<string | undefined> =>
  field(def, (v) => {
    let protocol: string;
    try {
      protocol = new URL(v).protocol.replace(/:$/, '');
    } catch {
      protocol = '';
    }
    return protocols.includes(protocol) ? ok(v) : bad(`must be a ${protocols.join('/')} URL`);
  });

/**
 * Parses `env` with `shape` (keys are the variable names). `refine` may add cross-field problems.
 * Returns the typed config or throws ConfigError listing every problem.
 */
export function parseEnv<S extends EnvShape>(
  shape: S,
  env: Env,
  refine?: (config: EnvValues<S>) => string[],
): EnvValues<S> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, rule] of Object.entries(shape)) {
    const value = env[name];
    const result = rule.read(value);
    if (result.ok) values[name] = result.value;
    else
      problems.push(`${name}=${value === undefined ? '(unset)' : JSON.stringify(value)}: ${result.problem}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const config = values as EnvValues<S>;
  problems.push(...(refine?.(config) ?? []));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Loads config or prints every problem to stderr and exits 2 (the documented config-error exit code). */
export function configOrExit<T>(load: () => T, component: string): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${component}: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
