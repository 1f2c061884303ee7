// Fills Node's compile cache for a bundle while its image is built, so a container start reads the compiled
// code instead of compiling the whole bundle again (the image sets NODE_COMPILE_CACHE to the same folder):
//   node warm-compile-cache.mjs <bundle> <cache dir>
// Starts the bundle with ephemeral loopback ports, stops it with SIGTERM once it logs `listening` (a clean
// exit writes the cache), and leaves the cache read-only. Node keeps one cache per user id, so as root it
// runs the bundle as the image's user, 65532 (RUN_AS=uid:gid for another). Plain JavaScript: it runs in
// the runtime image, which has node and nothing else.
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

const [bundle, dir] = process.argv.slice(2);
if (!bundle || !dir) {
  console.error('usage: node warm-compile-cache.mjs <bundle> <cache dir>');
  process.exit(2);
}
const asRoot = process.getuid?.() === 0;
const [uid, gid] = (process.env.RUN_AS ?? '65532:65532').split(':').map(Number);
if (asRoot) {
  mkdirSync(dir, { recursive: true });
  chownSync(dir, uid, gid);
}
const loopback = { PLAYER_HOST: '127.0.0.1', METRICS_HOST: '127.0.0.1', ROUTER_HOST: '127.0.0.1' };
const ephemeral = {
  PLAYER_PORT: '0',
  STREAMER_PORT: '0',
  SFU_PORT: '0',
  METRICS_PORT: '0',
  ROUTER_PORT: '0',
};
const child = spawn(process.execPath, [bundle], {
  env: {
    ...process.env,
    ...loopback,
    ...ephemeral,
    NODE_COMPILE_CACHE: dir,
    // What the router needs to start (a static sidecar list, a token) and to stop at once.
    ROUTER_TOKEN: randomBytes(24).toString('hex'),
    SIDECAR_URLS: 'http://127.0.0.1:9',
    SHUTDOWN_DELAY_SECONDS: '0',
    SHUTDOWN_DRAIN_SECONDS: '0',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
  ...(asRoot ? { uid, gid } : {}),
});
// One SIGTERM only: a second one makes the kit's processes exit at once, without writing the cache.
let seen = '';
let stopping = false;
child.stdout.setEncoding('utf8');
child.stdout.on('data', (text) => {
  seen = (seen + text).slice(-4096);
  if (!stopping && seen.includes('"msg":"listening"')) {
    stopping = true;
    child.kill('SIGTERM');
  }
});
const timer = setTimeout(() => {
  console.error(`warm-compile-cache: ${bundle} did not log "listening" within 60 s`);
  child.kill('SIGKILL');
}, 60_000);
child.on('exit', (code, signal) => {
  clearTimeout(timer);
  const entries = readdirSync(dir, { recursive: true }).map((e) => path.join(dir, String(e)));
  const files = entries.filter((e) => statSync(e).isFile());
  if (code !== 0 || files.length === 0) {
    console.error(`warm-compile-cache: ${bundle} exited ${code ?? signal}; cache files: ${files.length}`);
    process.exit(1);
  }
  for (const e of [dir, ...entries]) {
    if (asRoot) chownSync(e, 0, 0);
    chmodSync(e, files.includes(e) ? 0o644 : 0o755);
  }
});
