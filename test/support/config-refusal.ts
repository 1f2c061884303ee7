// Config refusals as users see them: the lines a ConfigError renders, one per problem, and a component
// process that exits 2 with the CONFIG_INVALID header followed by exactly those lines on stderr.
import { expect } from 'vitest';
import { configItems, configLine } from '../../common/config-error.js';
import { startNode, type RunningProcess } from './processes.js';

/** The lines a ConfigError thrown by `load` renders, one per item (none when it loads). */
export function refusalLines(load: () => unknown): string[] {
  return configItems(load).map(configLine);
}

/** The non-empty lines of a text block, each trimmed (expected refusals written one per line). */
export const block = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/** What `component` prints refusing its environment: the CONFIG_INVALID header, then the `expected` lines. */
const refusalText = (component: string, expected: string): string =>
  [
    `${component}: invalid configuration (CONFIG_INVALID):`,
    ...block(expected).map((line) => `  - ${line}`),
  ].join('\n');

/**
 * Starts `<component>/main.ts` with `env` (or through `start`, for a component whose tests start it with
 * defaults of their own) and waits for it to refuse: exit 2, then the header and exactly the `expected`
 * lines on stderr, nothing after them. Returns the ended process, for further checks of what it printed.
 */
export async function refusesToStart(
  component: string,
  env: Record<string, string>,
  expected: string,
  start: (env: Record<string, string>) => RunningProcess = (e) => startNode(`${component}/main.ts`, e),
): Promise<RunningProcess> {
  const proc = start(env);
  expect(await proc.exited).toBe(2);
  const text = proc.lines.map((l) => l.msg).join('\n');
  const header = `${component}: invalid configuration (CONFIG_INVALID):`;
  expect(text.slice(text.indexOf(header))).toBe(refusalText(component, expected));
  return proc;
}
