// Metric expressions of user-described policies, e.g. `allocated + queued + ceil(arrival_rate * 90)`.
// A tiny arithmetic language (numbers, variables, + - * /, parentheses, a few functions), parsed once and
// compiled to a closure: no eval, and every unknown name is reported when the policy file is loaded.
import { SIM_ERRORS, SimError } from './errors.js';

export type Variables = Readonly<Record<string, number>>;
export type Compiled = (vars: Variables) => number;

const FUNCTIONS: Record<string, (...args: number[]) => number> = {
  ceil: Math.ceil,
  floor: Math.floor,
  round: Math.round,
  abs: Math.abs,
  min: Math.min,
  max: Math.max,
};

/** Longest expression accepted: a policy line, not a program. */
const MAX_LENGTH = 500;

export function compileExpression(source: string, known: readonly string[]): Compiled {
  const fail = (why: string) =>
    new SimError(SIM_ERRORS.expression, `expression ${JSON.stringify(source)}: ${why}`);
  if (source.length > MAX_LENGTH) throw fail(`longer than ${MAX_LENGTH} characters`);
  const tokens = source.match(/\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?|[A-Za-z_][A-Za-z0-9_]*|[-+*/(),]|\S)/g) ?? [];
  const toks = tokens.map((t) => t.trim());
  let pos = 0;
  const peek = () => toks[pos];
  const take = () => toks[pos++];

  const primary = (): Compiled => {
    const t = take();
    if (t === undefined) throw fail('unexpected end');
    if (/^\d/.test(t)) {
      const v = Number(t);
      return () => v;
    }
    if (t === '(') {
      const e = sum();
      if (take() !== ')') throw fail('missing )');
      return e;
    }
    if (t === '-') {
      const e = primary();
      return (v) => -e(v);
    }
    if (/^[A-Za-z_]/.test(t)) {
      if (peek() === '(') {
        const fn = FUNCTIONS[t];
        if (fn === undefined)
          throw fail(`unknown function ${t} (known: ${Object.keys(FUNCTIONS).join(', ')})`);
        take();
        const args: Compiled[] = [];
        if (peek() !== ')') {
          args.push(sum());
          while (peek() === ',') {
            take();
            args.push(sum());
          }
        }
        if (take() !== ')') throw fail(`missing ) after arguments of ${t}`);
        if (args.length === 0) throw fail(`${t}() needs an argument`);
        return (v) => fn(...args.map((a) => a(v)));
      }
      if (!known.includes(t)) throw fail(`unknown variable ${t} (known: ${known.join(', ')})`);
      return (v) => v[t] ?? NaN;
    }
    throw fail(`unexpected ${JSON.stringify(t)}`);
  };
  /** One precedence level: operands joined left to right by the operators of `ops`. */
  const level =
    (operand: () => Compiled, ops: Readonly<Record<string, (a: number, b: number) => number>>) =>
    (): Compiled => {
      let left = operand();
      for (let t = peek(); t !== undefined && Object.hasOwn(ops, t); t = peek()) {
        take();
        const op = ops[t]!;
        const l = left;
        const r = operand();
        left = (v) => op(l(v), r(v));
      }
      return left;
    };
  const product = level(primary, { '*': (a, b) => a * b, '/': (a, b) => a / b });
  const sum = level(product, { '+': (a, b) => a + b, '-': (a, b) => a - b });
  const compiled = sum();
  if (pos !== toks.length) throw fail(`unexpected ${JSON.stringify(toks[pos])}`);
  return compiled;
}
