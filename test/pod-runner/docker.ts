// The docker CLI, called with argument arrays (no shell): the one way the pod runner touches containers.
import { execFile, spawnSync } from 'node:child_process';

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `docker ...args`; resolves with the exit code and output (never rejects on a non-zero code). */
export function docker(args: string[], timeoutMs = 60_000): Promise<DockerResult> {
  return new Promise((resolve) => {
    execFile('docker', args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 124) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Like `docker` but throws with the command and its stderr on a non-zero exit. */
export async function dockerOk(args: string[], timeoutMs?: number): Promise<string> {
  const r = await docker(args, timeoutMs);
  if (r.code !== 0)
    throw new Error(`docker ${args.slice(0, 3).join(' ')} … failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** True when a docker daemon answers (synchronous: decides whether a suite runs at all). */
export function dockerAvailable(): boolean {
  return (
    spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 20_000 })
      .status === 0
  );
}

/** Which of `images` are not present locally (synchronous, for the skip decision). */
export function missingImages(images: string[]): string[] {
  return images.filter(
    (image) => spawnSync('docker', ['image', 'inspect', image], { stdio: 'ignore' }).status !== 0,
  );
}
