// Typed configuration from environment variables, checked once at start-up. Every component describes its
// variables with zod; a bad environment yields *every* problem (variable, value, rule) at once, and
// `configOrExit` stops the process with them — never a half-built server.
import { isIP } from 'node:net';
import { z } from 'zod';
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
const unset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** Integer in [min, max] with a default; "", unset → default. */
export const envInt = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(
    unset,
    z
      .string()
      .regex(/^-?\d+$/, `must be an integer between ${min} and ${max}`)
      .transform(Number)
      .pipe(z.number().min(min, `must be ≥ ${min}`).max(max, `must be ≤ ${max}`))
      .optional()
      .transform((v) => v ?? def),
  );

/** Positive number (decimals allowed) with a default. */
export const envNumber = (def: number, min = 0, max = Number.MAX_VALUE) =>
  z.preprocess(
    unset,
    z
      .string()
      .regex(/^-?\d+(\.\d+)?$/, 'must be a number')
      .transform(Number)
      .pipe(z.number().min(min, `must be ≥ ${min}`).max(max, `must be ≤ ${max}`))
      .optional()
      .transform((v) => v ?? def),
  );

/** TCP/UDP port; 0 allowed where `allowZero` (ephemeral, or "disabled" by convention). */
export const envPort = (def: number, allowZero = true) => envInt(def, allowZero ? 0 : 1, 65535);

export const envBool = (def: boolean) =>
  z.preprocess(
    unset,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
      .transform((v) => v === 'true' || v === '1' || v === 'yes')
      .optional()
      .transform((v) => v ?? def),
  );

export const envString = (def?: string) =>
  z.preprocess(
    unset,
    z
      .string()
      .optional()
      .transform((v) => v ?? def),
  );

/**
 * A secret (token, shared secret). Empty means unset, as for every variable; a value of only whitespace is
 * refused instead: it is what an empty secret file gives, and reading it as unset would turn auth off
 * without a word.
 */
export const envSecret = () =>
  z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .refine(
        (v) => v.trim() !== '',
        'is only whitespace (an empty secret file?); unset it to run without one',
      )
      .optional(),
  );

export const envEnum = <const T extends readonly [string, ...string[]]>(values: T, def: T[number]) =>
  z.preprocess(
    unset,
    z
      .enum(values, { message: `must be one of ${values.join(', ')}` })
      .optional()
      .transform((v) => v ?? def),
  );

/** Comma-separated list; items trimmed, empties dropped. */
export const envList = (def: string[] = []) =>
  z.preprocess(
    unset,
    z
      .string()
      .optional()
      .transform((v) =>
        v === undefined
          ? def
          : v
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
      ),
  );

// A DNS name: dot-separated labels of letters, digits and inner hyphens (RFC 1123).
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Bind address: an IPv4/IPv6 literal or a host name (no port, no scheme). */
export const envHost = (def: string) =>
  z.preprocess(
    unset,
    z
      .string()
      .refine(
        (v) => isIP(v) !== 0 || HOSTNAME.test(v),
        'must be an IP address or a host name, without a port',
      )
      .optional()
      .transform((v) => v ?? def),
  );

/** Absolute URL with one of the given protocols. */
export const envUrl = (protocols: string[], def?: string) =>
  z.preprocess(
    unset,
    z
      .string()
      .refine(
        (v) => {
          try {
            return protocols.includes(new URL(v).protocol.replace(/:$/, ''));
          } catch {
            return false;
          }
        },
        `must be a ${protocols.join('/')} URL`,
      )
      .optional()
      .transform((v) => v ?? def),
  );

/**
 * Parses `env` with `schema` (keys are the variable names). `refine` may add cross-field problems.
 * Returns the typed config or throws ConfigError listing every problem.
 */
export function parseEnv<S extends z.ZodRawShape>(
  shape: S,
  env: Env,
  refine?: (config: z.infer<z.ZodObject<S>>) => string[],
): z.infer<z.ZodObject<S>> {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(shape)) input[key] = env[key];
  const result = z.object(shape).safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      const value = env[name];
      return `${name}=${value === undefined ? '(unset)' : JSON.stringify(value)}: ${issue.message}`;
    });
    throw new ConfigError(problems);
  }
  const problems = refine?.(result.data) ?? [];
  if (problems.length > 0) throw new ConfigError(problems);
  return result.data;
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
