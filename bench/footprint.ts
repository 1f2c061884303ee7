// Footprint benchmark: for each component, start-to-ready time and idle memory when run from the TypeScript
// sources through tsx (how the images ran before) and as the compiled bundle the images run now, plus the
// size of each built image. Prints one table of medians over several runs.
//   npm run bench:footprint [-- --runs 5 --idle-ms 2000 --only signalserver,router]
// Bundles run as in their images: the sidecar and router with a compile cache filled beforehand.
// Ready means: sidecar and router answer /healthz; the streamer has registered with a (bundled) sidecar, whose
// /readyz then answers 200; the TURN entrypoint logs `ready` (coturn answering). Idle RSS is the node
// process's own resident memory `--idle-ms` after ready (the streamer's ffmpeg and coturn not counted).
// CPU ms is the process's user + system time at ready: wall time on a shared machine mostly measures the
// others' load. Image sizes are those of `scripts/build-images.sh` builds present on this machine ("—" when none).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundleComponent, COMPONENTS, nodeServiceTuning, type ComponentName } from '../scripts/bundle.js';
import { freePort, repoRoot, track, type RunningProcess } from '../test/support/processes.js';
import { hasTool } from '../test/support/tools.js';
import { cpuSeconds } from './cpu.js';
import { markdownTable, median } from './table.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'idle-ms': { type: 'string', default: '2000' },
    only: { type: 'string' },
  },
});
/** `--only signalserver,router`: measure those components alone. */
const ONLY = args.only?.split(',');
const RUNS = Number(args.runs);
const IDLE_MS = Number(args['idle-ms']);
const TOKEN = 'footprint-router-token-0123456789';
const SOURCES: Record<ComponentName, string> = {
  signalserver: COMPONENTS.signalserver.entries.main,
  router: COMPONENTS.router.entries.main,
  streamer: COMPONENTS.streamer.entries.main,
  turn: COMPONENTS.turn.entries.main,
};
type Mode = 'tsx source' | 'bundle';

const out = mkdtempSync(path.join(tmpdir(), 'footprint-'));
for (const name of Object.keys(COMPONENTS) as ComponentName[])
  await bundleComponent(name, path.join(out, name));
// The sidecar and router images ship a compile cache filled at build time and tune node (V8 flags, malloc) in
// their Dockerfile; measure their bundles with both too.
const COMPILE_CACHED: readonly ComponentName[] = ['signalserver', 'router'];
const TUNING = nodeServiceTuning();
const cacheDir = (name: ComponentName) => path.join(out, name, 'compile-cache');
for (const name of COMPILE_CACHED) {
  const warm = spawnSync(
    process.execPath,
    [
      path.join(repoRoot, 'scripts', 'warm-compile-cache.mjs'),
      path.join(out, name, 'main.mjs'),
      cacheDir(name),
    ],
    // Node keeps one cache per user id: fill it for the user the measured processes run as.
    // V8 takes a cache only from a process started with the same flags.
    {
      stdio: 'inherit',
      env: { ...process.env, ...TUNING, RUN_AS: `${process.getuid?.()}:${process.getgid?.()}` },
    },
  );
  if (warm.status !== 0) throw new Error(`warming the compile cache of ${name} failed`);
}

function start(name: ComponentName, mode: Mode, env: Record<string, string>): RunningProcess {
  const argv =
    mode === 'bundle'
      ? [path.join(out, name, 'main.mjs')]
      : ['--import', 'tsx', path.join(repoRoot, SOURCES[name])];
  return track(
    spawn(process.execPath, argv, {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/',
        ...(mode === 'bundle' && COMPILE_CACHED.includes(name)
          ? { NODE_COMPILE_CACHE: cacheDir(name), ...TUNING }
          : {}),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/** Polls `url` until it answers `want`; resolves with the time it did (performance.now()). */
async function answered(url: string, want = 200, timeoutMs = 30_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === want) return performance.now();
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`${url} did not answer ${want} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

interface Sidecar {
  proc: RunningProcess;
  http: string;
  streamerPort: number;
}

async function startSidecar(mode: Mode): Promise<Sidecar> {
  const [player, streamer, metrics] = [await freePort(), await freePort(), await freePort()];
  const proc = start('signalserver', mode, {
    PLAYER_PORT: String(player),
    PLAYER_HOST: '127.0.0.1',
    STREAMER_PORT: String(streamer),
    SFU_PORT: '0',
    METRICS_PORT: String(metrics),
    METRICS_HOST: '127.0.0.1',
    PLAYER_PAGE_DIR: path.join(repoRoot, 'player', 'build'),
  });
  return { proc, http: `http://127.0.0.1:${player}`, streamerPort: streamer };
}

/** One start: [ms to ready, CPU ms to ready, idle RSS in MB]. */
async function measure(name: ComponentName, mode: Mode, sidecar: Sidecar): Promise<[number, number, number]> {
  const t0 = performance.now();
  let proc: RunningProcess;
  let ready: number;
  if (name === 'signalserver') {
    const s = await startSidecar(mode);
    proc = s.proc;
    ready = await answered(`${s.http}/healthz`);
  } else if (name === 'router') {
    const port = await freePort();
    proc = start(name, mode, {
      ROUTER_PORT: String(port),
      ROUTER_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      ROUTER_TOKEN: TOKEN,
      SIDECAR_URLS: sidecar.http,
    });
    ready = await answered(`http://127.0.0.1:${port}/healthz`);
  } else if (name === 'streamer') {
    proc = start(name, mode, {
      STREAMER_URL: `ws://127.0.0.1:${sidecar.streamerPort}`,
      STREAM_SOURCE: 'testsrc',
      ICE_EXTRA_HOSTS: '127.0.0.1',
    });
    ready = await answered(`${sidecar.http}/readyz`);
  } else {
    const runDir = mkdtempSync(path.join(tmpdir(), 'footprint-turn-'));
    proc = start(name, mode, {
      TURN_SECRET: 'footprint-turn-secret-0123456789',
      TURN_EXTERNAL_IP: '127.0.0.1',
      TURN_PRIVATE_IP: '127.0.0.1',
      TURN_LISTEN_PORT: String(await freePort()),
      TURN_MIN_PORT: '49600',
      TURN_MAX_PORT: '49620',
      TURN_EXPORTER_PORT: '0',
      TURN_RUN_DIR: runDir,
    });
    await proc.waitFor((l) => l.msg === 'ready', 30_000);
    ready = performance.now();
    void proc.exited.then(() => rmSync(runDir, { recursive: true, force: true }));
  }
  const cpu = cpuSeconds(proc.pid) * 1000;
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const rss = rssMb(proc.pid);
  await proc.stop('SIGTERM', 10_000);
  // A stopped streamer leaves its sidecar unready; wait for that so the next start is measured from scratch.
  if (name === 'streamer') await answered(`${sidecar.http}/readyz`, 503);
  return [ready - t0, cpu, rss];
}

const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string })
  .version;
function imageMb(name: ComponentName): string {
  if (!hasTool('docker')) return '—';
  const r = spawnSync('docker', ['image', 'inspect', '-f', '{{.Size}}', `pixelstream-${name}:${version}`], {
    encoding: 'utf8',
  });
  return r.status === 0 ? (Number(r.stdout.trim()) / 1e6).toFixed(0) : '—';
}

const rows: string[][] = [];
const sidecar = await startSidecar('bundle');
await answered(`${sidecar.http}/healthz`);
try {
  for (const name of Object.keys(COMPONENTS) as ComponentName[]) {
    if (ONLY && !ONLY.includes(name)) continue;
    if (name === 'turn' && !existsSync('/usr/bin/turnserver') && !hasTool('turnserver')) {
      rows.push([name, '—', 'turnserver not installed', '', '', '', '', '']);
      continue;
    }
    for (const mode of ['tsx source', 'bundle'] as const) {
      const ms: number[] = [];
      const cpu: number[] = [];
      const mb: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const [t, c, rss] = await measure(name, mode, sidecar);
        ms.push(t);
        cpu.push(c);
        mb.push(rss);
      }
      rows.push([
        name,
        mode,
        median(ms).toFixed(0),
        `${Math.min(...ms).toFixed(0)}–${Math.max(...ms).toFixed(0)}`,
        median(cpu).toFixed(0),
        median(mb).toFixed(1),
        mode === 'bundle' ? imageMb(name) : '',
        mode === 'bundle' ? (statSizeKb(name) / 1024).toFixed(2) : '',
      ]);
    }
  }
} finally {
  await sidecar.proc.stop('SIGTERM', 10_000);
  rmSync(out, { recursive: true, force: true });
}

function statSizeKb(name: ComponentName): number {
  return readFileSync(path.join(out, name, 'main.mjs')).length / 1024;
}

console.log(
  `\nnode ${process.version}, ${availableParallelism()} CPUs, load ${loadavg()[0]!.toFixed(1)}, ${RUNS} runs each, idle ${IDLE_MS} ms; ` +
    `sidecar and router bundles with the compile cache and ${Object.entries(TUNING)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}\n`,
);
const header = [
  'component',
  'run as',
  'start→ready ms',
  'range ms',
  'CPU ms to ready',
  'idle RSS MB',
  'image MB',
  'bundle MB',
];
console.log(markdownTable(header, rows));
process.exit(0);
