// Which real components a test can use here. Locally a missing tool skips the test with a reason; under
// CI=true nothing may skip, so a missing tool is an error that names the install step.
import { spawnSync } from 'node:child_process';

export const inCI = process.env.CI === 'true';

const found = new Map<string, boolean>();

/** True when `name` is on PATH (or is an absolute path that exists). */
export function hasTool(name: string): boolean {
  let ok = found.get(name);
  if (ok === undefined) {
    ok = spawnSync('sh', ['-c', `command -v "${name}"`], { stdio: 'ignore' }).status === 0;
    found.set(name, ok);
  }
  return ok;
}

/** True when the suite runs in its own network namespace (see scripts/test.mjs). */
export const inNetns = process.env.PIXEL_TEST_NETNS === '1';

/**
 * Returns true when every requirement is met. When one is missing: under CI it throws (the suite fails
 * loudly), otherwise it returns false so the caller can `describe.skipIf(!ok)`.
 */
export function requirements(tools: string[], opts: { netns?: boolean; root?: boolean } = {}): boolean {
  const missing = tools.filter((t) => !hasTool(t));
  if (opts.netns && !inNetns) missing.push('network namespace (run the suite as root through `npm test`)');
  if (opts.root && process.getuid?.() !== 0)
    missing.push('root (the test changes users and file capabilities)');
  if (missing.length === 0) return true;
  if (inCI) throw new Error(`missing in CI: ${missing.join(', ')} — .ci/run must install them`);
  console.warn(`skipping: missing ${missing.join(', ')}`);
  return false;
}
