// Benchmarks that drive Chromium run in a network namespace that looks like a pod's (scripts/netns.mjs):
// as root, the benchmark re-runs itself inside one and exits with its status; elsewhere it runs as is.
import { spawnSync } from 'node:child_process';
import { netnsArgv } from '../scripts/netns.mjs';

/** Re-runs the script `self` inside a pod-like namespace when it can (root, unshare); returns otherwise. */
export function runInPodNetns(self: string): void {
  if (
    process.env.PIXEL_TEST_NETNS === '1' ||
    process.getuid?.() !== 0 ||
    spawnSync('unshare', ['-n', '-m', 'true']).status !== 0
  )
    return;
  const r = spawnSync('unshare', netnsArgv('pod', process.execPath, ['--import', 'tsx', self]), {
    stdio: 'inherit',
    env: { ...process.env, PIXEL_TEST_NETNS: '1' },
  });
  process.exit(r.status ?? 1);
}
