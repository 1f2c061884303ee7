// The entrypoint refusing to start: a bad configuration stops it with exit 2 before coturn ever runs. Shared
// by the entrypoint's end-to-end tests and the abuse suite's config-injection tests.
import { expect } from 'vitest';
import type { LogLine } from '../../test/support/processes.js';
import { startTurnMain } from '../test-helpers.js';

/** Starts the entrypoint with `env` and expects that refusal; returns its log lines and their messages. */
export async function refusedAtStart(
  env: Record<string, string>,
): Promise<{ lines: LogLine[]; text: string }> {
  const proc = startTurnMain(env);
  expect(await proc.exited).toBe(2);
  expect(proc.lines.some((l) => l.msg === 'coturn started')).toBe(false);
  return { lines: proc.lines, text: proc.lines.map((l) => l.msg).join('\n') };
}
