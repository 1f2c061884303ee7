// The kinds of environment variable the kit reads: each field holds its default and its per-variable rule.
// An empty value means unset (the default), for every kind. (Plain functions rather than a schema library:
// loading zod cost every service about 10 MB of resident memory for these few rules.)
import { isIP } from 'node:net';

/** What a field makes of one raw value: the typed value, or every rule the value breaks. */
export type EnvRead<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** One variable's rule: its value from the raw text (undefined when unset), or what is wrong with it. */
export interface EnvField<T> {
  read(raw: string | undefined): EnvRead<T>;
  /** A secret (token, shared secret): its value is never shown in a problem. */
  readonly secret?: boolean;
}

const ok = <T>(value: T): EnvRead<T> => ({ ok: true, value });
const bad = (...problems: string[]): EnvRead<never> => ({ ok: false, problems });

/** A rule for set values; unset, empty and whitespace-only values give `def`. */
const field = <T, D>(def: D, read: (v: string) => EnvRead<T>): EnvField<T | D> => ({
  read: (raw) => (raw === undefined || raw.trim() === '' ? ok(def) : read(raw)),
});

/**
 * `base` with a further rule on its value: `problem` says what is wrong (undefined: nothing), or turns the
 * value into another (`{ value }`).
 */
export function checked<T, U = T>(
  base: EnvField<T>,
  problem: (value: T) => string | string[] | undefined | { value: U },
): EnvField<U> {
  return {
    secret: base.secret,
    read: (raw) => {
      const read = base.read(raw);
      if (!read.ok) return read;
      const found = problem(read.value);
      if (found === undefined) return ok(read.value as unknown as U);
      if (typeof found === 'object' && !Array.isArray(found)) return ok(found.value);
      const problems = typeof found === 'string' ? [found] : found;
      return problems.length === 0 ? ok(read.value as unknown as U) : bad(...problems);
    },
  };
}

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

/** Free text; with a default it is never undefined. */
export function envString(): EnvField<string | undefined>;
export function envString(def: string): EnvField<string>;
export function envString(def?: string): EnvField<string | undefined> {
  return field(def, ok);
}

/**
 * A secret (token, shared secret). Empty means unset, as for every variable; a value of only whitespace is
 * refused instead: it is what an empty secret file gives, and reading it as unset would turn auth off
 * without a word. `valueProblems` names the rules a set value breaks (its own words, never the value).
 */
export const envSecret = (
  valueProblems: (value: string) => string[] = () => [],
): EnvField<string | undefined> => secret(undefined, valueProblems);

/** A secret that must be set; `why` says what it is for. */
export const envRequiredSecret = (
  why: string,
  valueProblems: (value: string) => string[] = () => [],
): EnvField<string> => secret(`required (${why})`, valueProblems);

function secret<R extends string | undefined>(
  required: R,
  valueProblems: (value: string) => string[],
): EnvField<string | (R extends string ? never : undefined)> {
  return {
    secret: true,
    read: (raw) => {
      if (raw === undefined || raw === '')
        return (required === undefined ? ok(undefined) : bad(required)) as EnvRead<never>;
      if (raw.trim() === '')
        return bad('is only whitespace (an empty secret file?); unset it to run without one');
      const problems = valueProblems(raw);
      return problems.length > 0 ? bad(...problems) : ok(raw);
    },
  };
}

export const envEnum = <const T extends readonly [string, ...string[]]>(
  values: T,
  def: T[number],
): EnvField<T[number]> =>
  field(def, (v) => (values.includes(v) ? ok(v) : bad(`must be one of ${values.join(', ')}`)));

/**
 * Comma-separated list; items trimmed, empties dropped. `itemProblem` names what is wrong with one item
 * (undefined: nothing); each bad item is its own problem.
 */
export const envList = (
  def: string[] = [],
  itemProblem: (item: string) => string | undefined = () => undefined,
): EnvField<string[]> =>
  field(def, (v) => {
    const items = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const problems = items.flatMap((item) => {
      const problem = itemProblem(item);
      return problem === undefined ? [] : [`${JSON.stringify(item)} ${problem}`];
    });
    return problems.length > 0 ? bad(...problems) : ok(items);
  });

// A DNS name: dot-separated labels of letters, digits and inner hyphens (RFC 1123).
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Bind address: an IPv4/IPv6 literal or a host name (no port, no scheme). */
export const envHost = (def: string): EnvField<string> =>
  field(def, (v) =>
    isIP(v) !== 0 || HOSTNAME.test(v) ? ok(v) : bad('must be an IP address or a host name, without a port'),
  );

/** Absolute URL with one of the given protocols; with a default it is never undefined. */
export function envUrl(protocols: string[]): EnvField<string | undefined>;
export function envUrl(protocols: string[], def: string): EnvField<string>;
export function envUrl(protocols: string[], def?: string): EnvField<string | undefined> {
  return field(def, (v) => {
    let protocol: string;
    try {
      protocol = new URL(v).protocol.replace(/:$/, '');
    } catch {
      protocol = '';
    }
    return protocols.includes(protocol) ? ok(v) : bad(`must be a ${protocols.join('/')} URL`);
  });
}
