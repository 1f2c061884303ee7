// Signalling benchmark: full session set-ups per second through one sidecar process, and relay latency
// with 1,000 concurrent player sockets. The sidecar runs as its own child process so the load generator
// does not share its event loop. Prints a table per run and the medians.
//   npm run bench:signalling [-- --runs 3 --sessions 6000 --concurrency 64 --players 1000]
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { spawn } from 'node:child_process';
import { repoRoot, track, type RunningProcess } from '../test/support/processes.js';
import { EPHEMERAL_SIDECAR_ENV } from '../test/support/sidecar-env.js';
import { cpuSeconds } from './cpu.js';
import { markdownTable, medians } from './table.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    sessions: { type: 'string', default: '6000' },
    concurrency: { type: 'string', default: '64' },
    players: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '10' },
  },
});
const RUNS = Number(args.runs);
const SESSIONS = Number(args.sessions);
const CONCURRENCY = Number(args.concurrency);
const PLAYERS = Number(args.players);
const ROUNDS = Number(args.rounds);

const SDP = `v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n${'a=x-filler:0123456789abcdef\r\n'.repeat(60)}`;
const cand = (n: number, t = 0) => ({
  candidate: `candidate:${n} 1 udp 2122260223 192.0.2.1 ${50000 + n} typ host t${t}`,
  sdpMid: '0',
  sdpMLineIndex: 0,
});

interface Sidecar {
  proc: RunningProcess;
  playerUrl: string;
  streamerUrl: string;
}

async function startSidecar(): Promise<Sidecar> {
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the sidecar there (open it in Chrome DevTools).
  const prof = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const env = {
    ...EPHEMERAL_SIDECAR_ENV,
    MAX_PLAYERS_PER_STREAMER: '10000',
    STREAMER_MESSAGES_PER_SECOND: '0',
    LOG_LEVEL: 'warn',
    KEEPALIVE_SECONDS: '0',
    MAX_PLAYER_SOCKETS: '100000',
  };
  const proc = track(
    spawn(process.execPath, [...prof, '--import', 'tsx', 'signalserver/main.ts'], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const line = (await proc.waitFor((l) => l.msg === 'listening')) as unknown as {
    playerPort: number;
    streamerPort: number;
  };
  return {
    proc,
    playerUrl: `ws://127.0.0.1:${line.playerPort}/`,
    streamerUrl: `ws://127.0.0.1:${line.streamerPort}/`,
  };
}

type Msg = { type: string; playerId?: string; candidate?: { candidate: string }; [k: string]: unknown };

/** The streamer side: offers to each player, trickles 2 candidates, and reports what it hears. */
function connectStreamer(url: string, id: string, onMessage: (m: Msg) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('error', reject);
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString()) as Msg;
      if (m.type === 'identify')
        ws.send(JSON.stringify({ type: 'endpointId', id, protocolVersion: '1.1.0' }));
      else if (m.type === 'endpointIdConfirm') resolve(ws);
      else if (m.type === 'playerConnected') {
        ws.send(JSON.stringify({ type: 'offer', sdp: SDP, playerId: m.playerId }));
        ws.send(JSON.stringify({ type: 'iceCandidate', candidate: cand(1), playerId: m.playerId }));
        ws.send(JSON.stringify({ type: 'iceCandidate', candidate: cand(2), playerId: m.playerId }));
      }
      onMessage(m);
    });
  });
}

/** One full session; resolves when the streamer has heard the player's disconnect. */
function session(url: string, streamerDone: Map<string, () => void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let candidates = 0;
    ws.on('error', reject);
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString()) as Msg;
      if (m.type === 'config') ws.send('{"type":"subscribe","streamerId":"setup"}');
      else if (m.type === 'offer') {
        streamerDone.set(m.playerId!, resolve);
        ws.send(JSON.stringify({ type: 'answer', sdp: SDP }));
        ws.send(JSON.stringify({ type: 'iceCandidate', candidate: cand(3) }));
        ws.send(JSON.stringify({ type: 'iceCandidate', candidate: cand(4) }));
      } else if (m.type === 'iceCandidate' && ++candidates === 2) ws.close();
      else if (m.type === 'subscribeFailed') reject(new Error(String(m.message)));
    });
  });
}

async function setupsPerSecond(sc: Sidecar): Promise<{ wall: number; perCpuSecond: number }> {
  const done = new Map<string, () => void>();
  const heard = new Map<string, number>();
  const streamer = await connectStreamer(sc.streamerUrl, 'setup', (m) => {
    // The streamer must hear answer + 2 candidates + playerDisconnected for a session to count.
    if (!m.playerId || m.type === 'playerConnected') return;
    const n = (heard.get(m.playerId) ?? 0) + 1;
    if (m.type === 'playerDisconnected') {
      if (n !== 4) throw new Error(`session ${m.playerId} ended after ${n - 1} relayed messages`);
      heard.delete(m.playerId);
      done.get(m.playerId)?.();
      done.delete(m.playerId);
    } else heard.set(m.playerId, n);
  });
  // Warm up the JIT of both processes.
  await Promise.all(Array.from({ length: 200 }, () => session(sc.playerUrl, done)));
  let started = 0;
  const cpu0 = cpuSeconds(sc.proc.pid);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (started < SESSIONS) {
        started++;
        await session(sc.playerUrl, done);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(sc.proc.pid) - cpu0;
  streamer.close();
  // Set-ups per CPU-second of the sidecar is its single-core capacity, independent of how many cores the
  // load generator (and anything else on the machine) takes.
  return { wall: SESSIONS / seconds, perCpuSecond: SESSIONS / cpu };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function relayLatency(sc: Sidecar): Promise<{ s2p: number[]; p2s: number[]; rssMb: number }> {
  const s2p: number[] = [];
  const p2s: number[] = [];
  const sentAt = new Map<string, number>();
  const streamer = await connectStreamer(sc.streamerUrl, 'relay', (m) => {
    if (m.type === 'iceCandidate' && m.candidate) {
      const t = sentAt.get(m.candidate.candidate);
      if (t !== undefined) p2s.push(performance.now() - t);
    }
  });
  const players: { ws: WebSocket; id: string }[] = [];
  for (let i = 0; i < PLAYERS; i += 100) {
    const batch = await Promise.all(
      Array.from(
        { length: Math.min(100, PLAYERS - i) },
        () =>
          new Promise<{ ws: WebSocket; id: string }>((resolve, reject) => {
            const ws = new WebSocket(sc.playerUrl, { perMessageDeflate: false });
            ws.on('error', reject);
            ws.on('message', (data: Buffer) => {
              const m = JSON.parse(data.toString()) as Msg;
              if (m.type === 'config') ws.send('{"type":"subscribe","streamerId":"relay"}');
              else if (m.type === 'subscribeFailed') reject(new Error(String(m.message)));
              else if (m.type === 'offer') resolve({ ws, id: m.playerId! });
              else if (m.type === 'iceCandidate' && m.candidate?.candidate.includes(' r')) {
                const t = sentAt.get(m.candidate.candidate);
                if (t !== undefined) s2p.push(performance.now() - t);
              }
            });
          }),
      ),
    );
    players.push(...batch);
  }
  const status = readFileSync(`/proc/${sc.proc.pid}/status`, 'utf8');
  const rssMb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  // Paced rounds (one message per player per direction, spread over 500 ms) measure relay latency, not a
  // queue built by an unrealistic burst.
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < players.length; i++) {
      const p = players[i]!;
      const down = `candidate:9 1 udp 1 192.0.2.1 1 typ host r${r}p${p.id}`;
      sentAt.set(down, performance.now());
      streamer.send(
        JSON.stringify({
          type: 'iceCandidate',
          candidate: { candidate: down, sdpMid: '0', sdpMLineIndex: 0 },
          playerId: p.id,
        }),
      );
      const up = `candidate:8 1 udp 1 192.0.2.1 1 typ host u${r}p${p.id}`;
      sentAt.set(up, performance.now());
      p.ws.send(
        JSON.stringify({ type: 'iceCandidate', candidate: { candidate: up, sdpMid: '0', sdpMLineIndex: 0 } }),
      );
      if (i % 50 === 49) await new Promise((res) => setTimeout(res, 25));
    }
  }
  const expected = ROUNDS * players.length;
  for (let i = 0; i < 200 && (s2p.length < expected || p2s.length < expected); i++)
    await new Promise((res) => setTimeout(res, 25));
  if (s2p.length < expected || p2s.length < expected)
    throw new Error(`lost messages: ${s2p.length}/${expected} down, ${p2s.length}/${expected} up`);
  for (const p of players) p.ws.close();
  streamer.close();
  return { s2p: s2p.sort((a, b) => a - b), p2s: p2s.sort((a, b) => a - b), rssMb };
}

const rows: {
  run: string;
  setups: number;
  perCpu: number;
  s2p50: number;
  s2p99: number;
  p2s50: number;
  p2s99: number;
  rss: number;
}[] = [];
for (let run = 1; run <= RUNS; run++) {
  const sc = await startSidecar();
  try {
    const setups = await setupsPerSecond(sc);
    const lat = await relayLatency(sc);
    rows.push({
      run: String(run),
      setups: setups.wall,
      perCpu: setups.perCpuSecond,
      s2p50: percentile(lat.s2p, 50),
      s2p99: percentile(lat.s2p, 99),
      p2s50: percentile(lat.p2s, 50),
      p2s99: percentile(lat.p2s, 99),
      rss: lat.rssMb,
    });
  } finally {
    await sc.proc.stop('SIGTERM');
  }
}
rows.push({
  run: 'median',
  ...medians(rows, ['setups', 'perCpu', 's2p50', 's2p99', 'p2s50', 'p2s99', 'rss']),
});

console.log(
  `\nsignalling benchmark: ${SESSIONS} sessions at concurrency ${CONCURRENCY}; latency with ${PLAYERS} subscribed players, ${ROUNDS} paced rounds`,
);
console.log(
  `machine: ${availableParallelism()} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (sidecar LOG_LEVEL=warn)`,
);
console.log(
  'session = connect → config → subscribe → playerConnected → offer → answer → 2 candidates each way → close → playerDisconnected\n',
);
const header = [
  'run',
  'set-ups/s (wall)',
  'set-ups per sidecar CPU-s',
  'S→P p50 ms',
  'S→P p99 ms',
  'P→S p50 ms',
  'P→S p99 ms',
  `RSS @${PLAYERS} MB`,
];
const table = rows.map((r) => [
  r.run,
  r.setups.toFixed(0),
  r.perCpu.toFixed(0),
  r.s2p50.toFixed(2),
  r.s2p99.toFixed(2),
  r.p2s50.toFixed(2),
  r.p2s99.toFixed(2),
  r.rss.toFixed(0),
]);
console.log(markdownTable(header, table));
process.exit(0);
