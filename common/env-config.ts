// Typed configuration from environment variables, checked once at start-up: the one parser every component
// uses. Each variable is parsed on its own, then every cross-field rule whose variables parsed runs, so a bad
// environment yields *every* problem (variable, value, rule) at once, and `configOrExit` stops the process
// with them — never a half-built server.
import { ConfigError, type ConfigItem } from './config-error.js';
import type { EnvField } from './env-fields.js';

export { ConfigError, configItems, configLine, type ConfigItem } from './config-error.js';
export * from './env-fields.js';

export type Env = Record<string, string | undefined>;

/** Every variable of a component: its name and its field (default and per-variable rule). */
export type EnvShape = Record<string, EnvField<unknown>>;
/** What a shape parses to: one typed value per variable. */
export type ParsedEnv<S extends EnvShape> = { [K in keyof S]: S[K] extends EnvField<infer T> ? T : never };

/** What a rule reports: the variable to change and why (the value shown is the variable's own). */
export interface Problem {
  key: string;
  rule: string;
}

/** `rules` as problems of the variable `key`. */
export const about = (key: string, rules: readonly string[]): Problem[] =>
  rules.map((rule) => ({ key, rule }));

/** Ports among `keys` that another one already holds (0, "off" or ephemeral, never clashes). */
export function portClashes<K extends string>(ports: Record<K, number>, keys: readonly K[]): Problem[] {
  const problems: Problem[] = [];
  keys.forEach((key, i) => {
    const first = keys.slice(0, i).find((other) => ports[other] === ports[key]);
    if (ports[key] !== 0 && first !== undefined)
      problems.push({ key, rule: `must differ from ${first} (both ${ports[key]})` });
  });
  return problems;
}

/** A cross-field rule: runs when every variable it `needs` parsed, so it never sees a bad or missing field. */
export interface EnvRule<S extends EnvShape> {
  readonly needs: readonly (keyof S & string)[];
  readonly check: (config: Partial<ParsedEnv<S>>, env: Env) => readonly Problem[];
}

/** Makes rules for `shape`: `rule(['A', 'B'], (c) => …)` types `c` as exactly A and B, parsed. */
export function ruleFor<S extends EnvShape>(_shape: S) {
  return <const K extends keyof S & string>(
    needs: readonly K[],
    check: (config: Pick<ParsedEnv<S>, K>, env: Env) => readonly Problem[],
  ): EnvRule<S> => ({ needs, check: check as EnvRule<S>['check'] });
}

/**
 * Parses `env` with `shape` (keys are the variable names): each variable on its own, then every rule whose
 * variables parsed. Returns the typed config or throws ConfigError with every problem, secrets hidden.
 */
export function parseEnv<S extends EnvShape>(
  shape: S,
  env: Env,
  rules: readonly EnvRule<S>[] = [],
): ParsedEnv<S> {
  const parsed: Partial<Record<keyof S, unknown>> = {};
  const good = new Set<string>();
  const items: ConfigItem[] = [];
  // An empty value means unset, for every variable; a secret's value never enters an item.
  const item = (key: string, rule: string): ConfigItem => {
    const value = env[key] === '' ? undefined : env[key];
    return value !== undefined && shape[key]?.secret === true
      ? { key, rule, hidden: true }
      : { key, value, rule };
  };
  for (const [key, field] of Object.entries(shape)) {
    const result = field.read(env[key]);
    if (result.ok) {
      parsed[key as keyof S] = result.value;
      good.add(key);
    } else for (const rule of result.problems) items.push(item(key, rule));
  }
  for (const rule of rules) {
    if (!rule.needs.every((key) => good.has(key))) continue;
    for (const p of rule.check(parsed as Partial<ParsedEnv<S>>, env)) items.push(item(p.key, p.rule));
  }
  if (items.length > 0) throw new ConfigError(items);
  return parsed as ParsedEnv<S>;
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
