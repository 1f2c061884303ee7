// `npm start`: the whole kit on one machine — the player page (built if needed), a signalling sidecar and
// the reference streamer as child processes. Prints the URL to open; Ctrl-C (or SIGTERM) stops everything.
// Works without ffmpeg (the streamer replays its bundled clip). Any env var of the sidecar or the streamer
// passes through (e.g. STREAM_CODEC=h264, STREAM_SOURCE=x11::99, PLAYER_PORT=8081).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPlayer } from '../player/build.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const children: ChildProcess[] = [];
let stopping = false;

function say(text: string): void {
  process.stdout.write(`[local-stack] ${text}\n`);
}

/** Starts a node child; its JSON lines are shown compactly, and the first matching one resolves `ready`. */
function start(
  name: string,
  script: string,
  extraEnv: Record<string, string>,
  ready: (line: Record<string, unknown>) => boolean,
) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, script)], {
    cwd: root,
    // The stdin pipe is the children's lifeline: it closes when this script dies, however it dies.
    env: { ...env, EXIT_WITH_PARENT: '1', ...extraEnv },
    stdio: ['pipe', 'pipe', 'pipe'],
    // A process group of its own: a Ctrl-C in the terminal reaches this script alone, which stops the
    // children one signal each, in order. Sharing the terminal's group, each child got the terminal's SIGINT
    // and then this script's SIGTERM, took the second for "now", and skipped its clean stop.
    detached: true,
  });
  children.push(child);
  let resolveReady: (line: Record<string, unknown>) => void = () => undefined;
  const readyLine = new Promise<Record<string, unknown>>((r) => (resolveReady = r));
  const verbose = env.LOCAL_STACK_VERBOSE === '1';
  let buf = '';
  const onData = (chunk: Buffer) => {
    buf += chunk.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const text = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let line: Record<string, unknown> | undefined;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        line = undefined;
      }
      if (line && ready(line)) resolveReady(line);
      // Input lines arrive at mouse-move rate; show them only when asked.
      if (!line) process.stdout.write(`${name}: ${text}\n`);
      else if (verbose || (line.msg !== 'input' && line.level !== 'debug')) {
        const { level, msg, ...rest } = line;
        delete rest.time;
        delete rest.component;
        const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
        process.stdout.write(
          `${name}: ${level === 'info' ? '' : `${String(level)}: `}${String(msg)}${extra}\n`,
        );
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  child.once('exit', (code, signal) => {
    if (stopping) return;
    say(`${name} exited (${code ?? signal}); stopping the stack`);
    void stop(1);
  });
  return readyLine;
}

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Streamer first (it stops its encoder), then the sidecar.
  for (const child of [...children].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGTERM');
    const gone = new Promise((r) => child.once('exit', r));
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  }
  process.exit(code);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
// Children never outlive this script, even when it is killed hard: they watch their stdin pipe close
// (common/parent-watch.ts).
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

const built = await buildPlayer();
if (built) say('player page built');

const playerPort = env.PLAYER_PORT ?? '8080';
const listening = await start(
  'sidecar',
  'signalserver/main.ts',
  {
    DRAIN_TIMEOUT_SECONDS: env.DRAIN_TIMEOUT_SECONDS ?? '5',
    PLAYER_PORT: playerPort,
    STREAMER_PORT: env.STREAMER_PORT ?? '0',
    SFU_PORT: env.SFU_PORT ?? '0',
    METRICS_PORT: env.METRICS_PORT ?? '0',
  },
  (l) => l.msg === 'listening',
);
await start(
  'streamer',
  'streamer/main.ts',
  { STREAMER_URL: `ws://127.0.0.1:${String(listening.streamerPort)}` },
  (l) => l.msg === 'registered',
);
const host = env.PLAYER_HOST && env.PLAYER_HOST !== '0.0.0.0' ? env.PLAYER_HOST : 'localhost';
say('');
say(
  `open http://${host}:${String(listening.playerPort)}/   (metrics: http://localhost:${String(listening.metricsPort)}/metrics)`,
);
say('Ctrl-C stops everything');
say('');
