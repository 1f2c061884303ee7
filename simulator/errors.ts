// Coded errors of the simulator: a stable `code` the CLI prints and the README lists, so scripts can tell a
// bad trace from a bad policy file without parsing prose.
import { CodedError } from '../common/coded-error.js';

export const SIM_ERRORS = {
  usage: 'SIM_USAGE',
  trace: 'SIM_TRACE_INVALID',
  policy: 'SIM_POLICY_INVALID',
  expression: 'SIM_EXPRESSION_INVALID',
  distribution: 'SIM_DISTRIBUTION_INVALID',
  apply: 'SIM_APPLY_UNSUPPORTED',
  config: 'CONFIG_INVALID',
  output: 'SIM_OUTPUT_FAILED',
} as const;

export type SimErrorCode = (typeof SIM_ERRORS)[keyof typeof SIM_ERRORS];

export class SimError extends CodedError<SimErrorCode> {
  constructor(
    code: SimErrorCode,
    message: string,
    readonly problems: string[] = [],
  ) {
    super(code, problems.length > 0 ? `${message}:\n${problems.map((p) => `  - ${p}`).join('\n')}` : message);
  }
}

/** Several inputs (the .env, the policy file, the trace) were bad at once: each keeps its own code. */
export class SimInputErrors extends Error {
  constructor(readonly errors: readonly (Error & { readonly code: string })[]) {
    super(errors.map((e) => `${e.code}: ${e.message}`).join('\n'));
  }
}
