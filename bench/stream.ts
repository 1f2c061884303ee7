// `npm run bench:stream`: what a viewer of the reference streamer experiences, measured with real Chromium
// against real sidecar + streamer processes, in a network namespace that looks like a pod's (a default
// route whose packets die, a resolver that never answers: scripts/netns.mjs):
//   1. page load → first decoded frame, p50/p95, direct and relay-only through coturn, with the stages in
//      between (the page's own events and the streamer's `player timeline` log line);
//   2. the same for each keyframe strategy (BENCH_ONLY=first skips this, BENCH_ONLY=<text> filters it);
//   3. decoded frames per second for one player;
//   4. streamer (fan-out) and encoder CPU with 1, 4 and 8 players on one stream, and what each extra
//      player costs as a share of the encoder's CPU (BENCH_CPU=0 skips this).
// BENCH_SESSIONS, BENCH_WIDTH/BENCH_HEIGHT and BENCH_CODEC adjust the run.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SIDECAR } from '../common/index.js';
import {
  closeAllBrowsers,
  launchBrowser,
  measureFps,
  newPage,
  waitForFirstFrame,
} from '../test/support/browser.js';
import { metric, startPair, type Pair } from '../streamer/testing/stack.js';
import { childPids, freePort } from '../test/support/processes.js';
import { EGRESS } from '../scripts/netns.mjs';
import { cpuSeconds } from './cpu.js';
import { runInPodNetns } from './pod-netns.js';
import { startTurnMain } from '../turn/test-helpers.js';
import { sessionStages, stageTable, type SessionStages } from './stream-stages.js';

const self = fileURLToPath(import.meta.url);
runInPodNetns(self);

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 20);
const WIDTH = process.env.BENCH_WIDTH ?? '640';
const HEIGHT = process.env.BENCH_HEIGHT ?? '360';
const CODEC = process.env.BENCH_CODEC ?? 'vp8';

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

async function until(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}

interface FirstFrames {
  name: string;
  p50: number;
  p95: number;
  fps: number;
  sessions: SessionStages[];
}

async function firstFrames(strategy: {
  name: string;
  env: Record<string, string>;
  sidecarEnv?: Record<string, string>;
  query?: string;
}): Promise<FirstFrames> {
  const pair = await startPair(
    { STREAM_WIDTH: WIDTH, STREAM_HEIGHT: HEIGHT, STREAM_CODEC: CODEC, ...strategy.env },
    strategy.sidecarEnv,
  );
  const browser = await launchBrowser();
  const times: number[] = [];
  const sessions: SessionStages[] = [];
  let fps = NaN;
  try {
    for (let i = 0; i < SESSIONS; i++) {
      const { page } = await newPage(browser);
      const since = pair.streamer!.lines.length;
      await page.goto(pair.url + (strategy.query ?? ''));
      times.push(await waitForFirstFrame(page));
      sessions.push(await sessionStages(page, pair.streamer!, since));
      if (i === 0) {
        await page.waitForTimeout(1_000);
        fps = (await measureFps(page, 5_000)).fps;
      }
      await page.context().close();
      await until(async () => (await metric(pair, SIDECAR.available)) === 1);
    }
  } finally {
    await browser.close();
    await pair.stop();
  }
  return { name: strategy.name, p50: pct(times, 50), p95: pct(times, 95), fps, sessions };
}

/** The production-rendered coturn on the namespace's address, for the relay-only sessions. */
async function startRelay(): Promise<{ sidecarEnv: Record<string, string>; stop(): Promise<unknown> }> {
  const port = await freePort();
  const secret = 'bench-stream-relay-secret-0123456789';
  const turn = startTurnMain({
    TURN_SECRET: secret,
    TURN_EXTERNAL_IP: EGRESS.address,
    TURN_PRIVATE_IP: EGRESS.address,
    TURN_LISTEN_PORT: String(port),
    TURN_MIN_PORT: '49700',
    TURN_MAX_PORT: '49760',
    TURN_ALLOWED_PEER_CIDRS: '10.244.0.0/16',
    TURN_SERVICE_CIDR: '10.96.0.0/12',
  });
  await turn.waitFor((l) => l.msg === 'ready', 15_000);
  return {
    sidecarEnv: {
      TURN_SECRET: secret,
      TURN_URLS: `turn:${EGRESS.address}:${port}?transport=udp`,
      ICE_TRANSPORT_POLICY: 'relay',
    },
    stop: () => turn.stop(),
  };
}

interface CpuRow {
  players: number;
  streamerCpu: number;
  encoderCpu: number;
  fps: number;
}

async function cpuPerPlayer(counts: number[]): Promise<{ sendPath: string; rows: CpuRow[] }> {
  const max = Math.max(...counts);
  const pair: Pair = await startPair(
    { STREAM_WIDTH: WIDTH, STREAM_HEIGHT: HEIGHT, STREAM_CODEC: CODEC },
    { MAX_PLAYERS_PER_STREAMER: String(max) },
  );
  const browser = await launchBrowser();
  const rows: CpuRow[] = [];
  let sendPath: string;
  try {
    const path = await pair.streamer!.waitFor((l) => l.msg === 'fan-out send path');
    sendPath = path.send === 'native' ? 'native' : `js (${String(path.why)})`;
    const sh = Number((await pair.streamer!.waitFor((l) => l.msg === 'encoder started')).pid);
    const encoderPids = () => [sh, ...childPids(sh)];
    const streamerPid = pair.streamer!.pid;
    const pages = [];
    for (const n of counts) {
      while (pages.length < n) {
        const { page } = await newPage(browser);
        await page.goto(pair.url);
        await waitForFirstFrame(page);
        pages.push(page);
      }
      await new Promise((r) => setTimeout(r, 2_000));
      const window = Number(process.env.BENCH_CPU_WINDOW_MS ?? 10_000);
      const s0 = cpuSeconds(streamerPid);
      const e0 = encoderPids().reduce((a, p) => a + cpuSeconds(p), 0);
      const fpsAll = await Promise.all(pages.map((p) => measureFps(p, window)));
      const s1 = cpuSeconds(streamerPid);
      const e1 = encoderPids().reduce((a, p) => a + cpuSeconds(p), 0);
      rows.push({
        players: n,
        streamerCpu: ((s1 - s0) / (window / 1000)) * 100,
        encoderCpu: ((e1 - e0) / (window / 1000)) * 100,
        fps: fpsAll.reduce((a, f) => a + f.fps, 0) / fpsAll.length,
      });
    }
  } finally {
    await browser.close();
    await pair.stop();
  }
  return { sendPath, rows };
}

const strategies: { name: string; env: Record<string, string> }[] = [
  {
    name: 'gop-cache, GOP 1 s (default)',
    env: { KEYFRAME_STRATEGY: 'gop-cache', KEYFRAME_INTERVAL_SECONDS: '1' },
  },
  { name: 'gop-cache, GOP 0.5 s', env: { KEYFRAME_STRATEGY: 'gop-cache', KEYFRAME_INTERVAL_SECONDS: '0.5' } },
  {
    name: 'gop (wait for next keyframe), GOP 1 s',
    env: { KEYFRAME_STRATEGY: 'gop', KEYFRAME_INTERVAL_SECONDS: '1' },
  },
  { name: 'gop, GOP 0.5 s', env: { KEYFRAME_STRATEGY: 'gop', KEYFRAME_INTERVAL_SECONDS: '0.5' } },
  {
    name: 'restart encoder per player, GOP 2 s',
    env: { KEYFRAME_STRATEGY: 'restart', KEYFRAME_INTERVAL_SECONDS: '2' },
  },
];
const only = process.env.BENCH_ONLY;
const row = (r: FirstFrames) =>
  `| ${r.name} | ${Math.round(r.p50)} | ${Math.round(r.p95)} | ${r.fps.toFixed(1)} |\n`;
const header = '| sessions | first frame p50 (ms) | p95 (ms) | decoded fps (1 player) |\n|---|---|---|---|\n';
process.stdout.write(
  `bench:stream — ${CODEC} ${WIDTH}x${HEIGHT}@30, ${SESSIONS} sessions per row, in a pod-like network namespace (default route, resolver that never answers)\n\n`,
);
try {
  // BENCH_ONLY=first runs only the first-frame table and its stages; BENCH_FIRST=0 skips that table,
  // BENCH_CPU=0 the CPU one; BENCH_FIRST=0 also skips the strategies.
  if (process.env.BENCH_FIRST !== '0') {
    const relay = await startRelay();
    let direct: FirstFrames, relayed: FirstFrames;
    try {
      direct = await firstFrames({ name: 'direct (gop-cache, GOP 1 s)', env: {} });
      relayed = await firstFrames({
        name: 'relay-only through coturn',
        env: {},
        sidecarEnv: relay.sidecarEnv,
        query: '?ForceTURN=true',
      });
    } finally {
      await relay.stop();
    }
    process.stdout.write(header + row(direct) + row(relayed) + '\n');
    process.stdout.write(
      stageTable([
        { name: 'direct', sessions: direct.sessions },
        { name: 'relay-only', sessions: relayed.sessions },
      ]) + '\n',
    );
  }
  if (only !== 'first' && process.env.BENCH_FIRST !== '0') {
    process.stdout.write(
      '| keyframe strategy | first frame p50 (ms) | p95 (ms) | decoded fps (1 player) |\n|---|---|---|---|\n',
    );
    for (const s of strategies.filter((x) => !only || x.name.includes(only)))
      process.stdout.write(row(await firstFrames(s)));
  }
  if (process.env.BENCH_CPU !== '0') {
    const { sendPath, rows } = await cpuPerPlayer([1, 4, 8]);
    process.stdout.write(
      `\nfan-out send path (FANOUT_SEND): ${sendPath}\n\n| players on one stream | streamer CPU % (fan-out, SRTP) | per extra player % | per extra player, % of encoder | encoder CPU % | mean decoded fps |\n|---|---|---|---|---|---|\n`,
    );
    const one = rows[0]!;
    for (const r of rows) {
      const extra = r.players > 1 ? (r.streamerCpu - one.streamerCpu) / (r.players - 1) : NaN;
      process.stdout.write(
        `| ${r.players} | ${r.streamerCpu.toFixed(1)} | ${r.players > 1 ? extra.toFixed(2) : '–'} | ${r.players > 1 ? ((extra / r.encoderCpu) * 100).toFixed(1) : '–'} | ${r.encoderCpu.toFixed(1)} | ${r.fps.toFixed(1)} |\n`,
      );
    }
  }
} finally {
  await closeAllBrowsers();
}
process.stdout.write(
  `\n(first frame = navigation start → first frame the page presents; stages from the page's own events and the streamer's \`player timeline\` log line; CPU % of one core; ${path.basename(self)})\n`,
);
process.exit(0);
