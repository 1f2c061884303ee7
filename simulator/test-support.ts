// What the simulator's tests share: a model with fixed times (outcomes can be reasoned about exactly) and
// the CLI run as a child process, as a user runs it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseDistribution } from './distribution.js';
import { DEFAULT_MODEL, type Model } from './model.js';

export const fixed = (s: number) => parseDistribution(`fixed:${s}`);

/** A crisp model: fixed start-up times, so outcomes can be reasoned about exactly. */
export const crisp: Model = {
  ...DEFAULT_MODEL,
  scheduling: fixed(1),
  imagePull: fixed(60),
  imagePullCached: fixed(2),
  appStart: fixed(20),
  nodeStartup: fixed(120),
};

const main = path.join(import.meta.dirname, 'main.ts');

/** `npm run simulate -- …args` from the repository root. */
export function runCli(args: readonly string[], timeoutMs = 15_000) {
  return spawnSync(process.execPath, ['--import', 'tsx', main, ...args], {
    cwd: path.join(import.meta.dirname, '..'),
    encoding: 'utf8',
    timeout: timeoutMs,
  });
}
