#!/usr/bin/env node
// Runs the whole test suite. As root it first enters a private network namespace that looks like a pod's
// (scripts/netns.mjs: a veth on a documentation range, a default route into it, a resolver that never
// answers), so WebRTC candidates are predictable, code that reaches for the Internet is caught, and no test
// traffic can leave the machine. It ends with the plain `N passed, N failed` line CI reads, and under
// CI=true a skipped test is a failure: CI must exercise every real component.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { netnsArgv } from './netns.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

function canUnshare() {
  if (process.getuid?.() !== 0) return false;
  const probe = spawnSync('unshare', ['-n', '-m', 'true'], { stdio: 'ignore' });
  return probe.status === 0;
}

if (process.env.PIXEL_TEST_NETNS !== '1' && process.env.PIXEL_TEST_NO_NETNS !== '1' && canUnshare()) {
  const r = spawnSync('unshare', netnsArgv('pod', process.execPath, ['scripts/test.mjs', ...args]), {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PIXEL_TEST_NETNS: '1' },
  });
  process.exit(r.status ?? 1);
}

const out = path.join(root, 'test-results', 'vitest.json');
mkdirSync(path.dirname(out), { recursive: true });
rmSync(out, { force: true });
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const run = spawnSync(
  process.execPath,
  [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...args],
  { cwd: root, stdio: 'inherit', env: process.env },
);

let report = {};
try {
  report = JSON.parse(readFileSync(out, 'utf8'));
} catch {
  // no report: vitest itself failed to start; counted as a failure below
}
const passed = report.numPassedTests ?? 0;
let failed = report.numFailedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
let status = run.status ?? 1;
if (process.env.CI === 'true' && skipped > 0) {
  console.error(`CI=true: ${skipped} test(s) skipped; every test must run in CI`);
  status = 1;
}
// A suite that failed to load (syntax error, a hook that threw) has no failed test of its own: count it.
if (status !== 0 && failed === 0) failed = Math.max(1, report.numFailedTestSuites ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(status);
