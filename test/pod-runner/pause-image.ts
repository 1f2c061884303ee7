// The pod sandbox's image, made here because no registry is reachable for the kubelet's pause image: a
// static busybox (Debian's busybox-static) imported into an image that only sleeps. The kit's images
// cannot stand in for it: some have no shell tools at all.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { docker } from './docker.js';

export const PAUSE_IMAGE = 'pixelstream-test-pause:busybox';
const BUSYBOX = '/bin/busybox';

/** Imports the pause image unless it exists; throws naming the package when busybox is missing. */
export async function ensurePauseImage(): Promise<string> {
  if ((await docker(['image', 'inspect', PAUSE_IMAGE])).code === 0) return PAUSE_IMAGE;
  if (!existsSync(BUSYBOX)) throw new Error(`pod runner: ${BUSYBOX} not found (install busybox-static)`);
  await new Promise<void>((resolve, reject) => {
    // tar the one file from / so it lands at /busybox in the image.
    execFile(
      'sh',
      [
        '-c',
        `tar -C /bin -c busybox | docker import --change 'ENTRYPOINT ["/busybox", "sleep", "2147483647"]' - ${PAUSE_IMAGE}`,
      ],
      (err, _o, stderr) => (err ? reject(new Error(`pod runner: pause image: ${stderr.trim()}`)) : resolve()),
    );
  });
  return PAUSE_IMAGE;
}
