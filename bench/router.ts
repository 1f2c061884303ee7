// Benchmark: allocation throughput and latency of one router process in front of 500 real sidecars (five
// farm processes of 100, each sidecar with a streamer stand-in). Each run opens every player socket at once
// ("as fast as possible") and measures, per player, socket creation → first message from its pod (`config`):
// reservation, pipe and sidecar hand-shake included. Between runs every player leaves (1000) and the router
// releases the pods. Prints one row per run and the medians, then the latency of players arriving one at a
// time (no queueing in the router). Reference: Agones allocates 300–400/s.
// The sidecars and this load generator share the machine with the router: unless BENCH_PIN=0 (or taskset
// is missing, or the machine has one CPU), the router runs alone on CPU 0 and everything else of the
// benchmark on the other CPUs, and each row also gives the router's capacity from its own CPU time
// (allocations per router CPU-second), which other load barely moves.
// BENCH_ROUTER_NODE_OPTIONS: node options for the router process alone (an A/B of V8 flags, --cpu-prof).
import { availableParallelism, loadavg } from 'node:os';
import WebSocket from 'ws';
import {
  sample,
  scrape,
  startFarms,
  startRouterProc,
  type Farm,
  type RouterProc,
} from '../router/testing/stack.js';
import { hasTool } from '../test/support/tools.js';
import { cpuSeconds, pin } from './cpu.js';
import { markdownTable, median, medians } from './table.js';

const SIDECARS = Number(process.env.BENCH_SIDECARS ?? '500');
const PER_PROCESS = Number(process.env.BENCH_SIDECARS_PER_PROCESS ?? '100');
const RUNS = Number(process.env.BENCH_RUNS ?? '3');
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? '200');
const CPUS = availableParallelism();
const PIN = process.env.BENCH_PIN !== '0' && CPUS > 1 && hasTool('taskset');

interface RunResult {
  players: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  routerP50: number;
  /** CPU ms per allocation: router, all sidecar farms. */
  routerCpuMs: number;
  farmCpuMs: number;
}

/** Allocations one router CPU-second does, from the router's own CPU time per allocation. */
const capacity = (r: { routerCpuMs: number }) => (1000 / r.routerCpuMs).toFixed(0);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** Median of the router's own wait histogram for this run, from bucket deltas (arrival → assigned). */
function histogramMedian(before: string, after: string): number {
  const bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
  const key = (le: number) => `pixelstream_router_wait_seconds_bucket{le="${le}"}`;
  const total =
    (sample(after, 'pixelstream_router_wait_seconds_count') ?? 0) -
    (sample(before, 'pixelstream_router_wait_seconds_count') ?? 0);
  for (const le of bounds) {
    if ((sample(after, key(le)) ?? 0) - (sample(before, key(le)) ?? 0) >= total / 2) return le * 1000;
  }
  return Infinity;
}

/** Waits until every sidecar reports itself available again (the router released each reservation after its
 * player closed normally): every run must start with all pods free. */
async function allFree(farms: Farm[], timeoutMs = 60_000): Promise<void> {
  const urls = farms.flatMap((f) => f.sidecars.map((s) => `${s.url}/status`));
  const deadline = Date.now() + timeoutMs;
  let busy = urls;
  while (busy.length > 0) {
    if (Date.now() > deadline)
      throw new Error(`${busy.length} sidecars still not available after ${timeoutMs} ms`);
    const states = await Promise.all(
      busy.map(async (u) => ((await (await fetch(u)).json()) as { available: boolean }).available),
    );
    busy = busy.filter((_, i) => !states[i]);
    if (busy.length > 0) await new Promise((r) => setTimeout(r, 200));
  }
}

async function run(router: RouterProc, farms: Farm[]): Promise<RunResult> {
  await allFree(farms);
  const before = await scrape(router.metricsPort);
  const farmCpu = () => farms.reduce((n, f) => n + cpuSeconds(f.proc.pid), 0);
  const cpu0 = { router: cpuSeconds(router.proc.pid), farms: farmCpu() };
  const latencies: number[] = [];
  const sockets: WebSocket[] = [];
  let queued = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    for (let i = 0; i < SIDECARS; i++) {
      const start = performance.now();
      const ws = new WebSocket(router.url, { perMessageDeflate: false });
      sockets.push(ws);
      let first = true;
      ws.on('message', (data) => {
        if (!first) return;
        let type: string;
        try {
          type = (JSON.parse((data as Buffer).toString('utf8')) as { type: string }).type;
        } catch {
          reject(
            new Error(
              `player ${i}: a message that is not JSON: ${(data as Buffer).toString('utf8').slice(0, 200)}`,
            ),
          );
          return;
        }
        if (type === 'queuePosition') {
          queued++;
          return;
        }
        // Held past the router's first-round hold (a loaded machine): its resume ticket comes in-band first.
        if (type === 'sessionTicket') return;
        first = false;
        if (type !== 'config') reject(new Error(`player ${i}: unexpected first message ${type}`));
        latencies.push(performance.now() - start);
        if (latencies.length === SIDECARS) resolve();
      });
      ws.on('error', reject);
    }
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = { router: cpuSeconds(router.proc.pid), farms: farmCpu() };
  const after = await scrape(router.metricsPort);
  // On a loaded machine a player can arrive while a round has every free pod in flight: it is told its
  // place and placed moments later. Worth knowing, not a failed run.
  if (queued > 0)
    process.stderr.write(`${queued} player(s) told a queue place although a pod was free for each\n`);
  await Promise.all(sockets.map((ws) => new Promise((r) => (ws.once('close', r), ws.close(1000)))));
  await allFree(farms);
  latencies.sort((a, b) => a - b);
  return {
    players: SIDECARS,
    seconds,
    perSecond: SIDECARS / seconds,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: latencies.at(-1) ?? NaN,
    routerP50: histogramMedian(before, after),
    routerCpuMs: ((cpu1.router - cpu0.router) * 1000) / SIDECARS,
    farmCpuMs: ((cpu1.farms - cpu0.farms) * 1000) / SIDECARS,
  };
}

/** One player at a time, each waiting for its pod before the next arrives: allocation latency without a queue. */
async function sequential(
  router: RouterProc,
  farms: Farm[],
  n: number,
): Promise<{ p50: number; p99: number }> {
  const latencies: number[] = [];
  const sockets: WebSocket[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const ws = new WebSocket(router.url, { perMessageDeflate: false });
    sockets.push(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('message', () => resolve());
      // Stays attached: an error after the first message must not become an uncaught exception.
      ws.on('error', reject);
    });
    latencies.push(performance.now() - start);
  }
  await Promise.all(sockets.map((ws) => new Promise((r) => (ws.once('close', r), ws.close(1000)))));
  await allFree(farms);
  latencies.sort((a, b) => a - b);
  return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

const farms: Farm[] = [];
let router: RouterProc | undefined;
try {
  const sizes = Array.from({ length: Math.ceil(SIDECARS / PER_PROCESS) }, (_, i) =>
    Math.min(PER_PROCESS, SIDECARS - i * PER_PROCESS),
  );
  process.stderr.write(`starting ${SIDECARS} sidecars in ${sizes.length} processes…\n`);
  farms.push(...(await startFarms(sizes, { FARM_QUIET: '1', RESUME_GRACE_SECONDS: '60' })));
  router = await startRouterProc(
    farms.flatMap((f) => f.sidecars.map((s) => s.url)),
    {
      QUEUE_MAX: String(SIDECARS),
      ...(process.env.RESERVE_CONCURRENCY ? { RESERVE_CONCURRENCY: process.env.RESERVE_CONCURRENCY } : {}),
      ...(process.env.BENCH_ROUTER_NODE_OPTIONS
        ? { NODE_OPTIONS: process.env.BENCH_ROUTER_NODE_OPTIONS }
        : {}),
    },
  );
  const others = `1-${CPUS - 1}`;
  if (PIN)
    for (const pid of [router.proc.pid, ...farms.map((f) => f.proc.pid), process.pid])
      pin(pid, pid === router.proc.pid ? '0' : others);
  // One uncounted run first: JIT warm-up and the router's first (keep-alive) connection to each sidecar.
  await run(router, farms);
  const results: RunResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await run(router, farms);
    results.push(r);
    process.stderr.write(`run ${i + 1}: ${r.perSecond.toFixed(0)} allocations/s\n`);
  }
  const row = (name: string, r: Omit<RunResult, 'players'> & { players: number | string }) => [
    name,
    String(r.players),
    r.seconds.toFixed(2),
    r.perSecond.toFixed(0),
    r.p50.toFixed(0),
    r.p99.toFixed(0),
    r.max.toFixed(0),
    String(r.routerP50),
    r.routerCpuMs.toFixed(2),
    capacity(r),
    r.farmCpuMs.toFixed(2),
  ];
  const header = [
    'run',
    'players',
    'secs',
    'allocations/s',
    'p50 ms',
    'p99 ms',
    'max ms',
    'router p50 ≤ ms',
    'router CPU ms/a',
    'router capacity/s',
    'sidecar CPU ms/a',
  ];
  const lines = [
    `router allocation benchmark: ${SIDECARS} sidecars (${sizes.length} processes), 1 router process, all players at once, after one warm-up run`,
    PIN
      ? `${CPUS} CPUs: the router alone on CPU 0; the sidecars and the load generator on CPUs ${others}; load average ${loadavg()[0]!.toFixed(1)} (other work on the machine shares every CPU)`
      : `${CPUS} CPUs, not pinned: the router, the sidecars and the load generator share them; load average ${loadavg()[0]!.toFixed(1)}`,
    markdownTable(header, [
      ...results.map((r, i) => row(`${i + 1}`, r)),
      row('median', {
        players: SIDECARS,
        ...medians(results, [
          'seconds',
          'perSecond',
          'p50',
          'p99',
          'max',
          'routerP50',
          'routerCpuMs',
          'farmCpuMs',
        ]),
      }),
    ]),
    'reference: Agones allocator 300–400 allocations/s',
  ];
  const solo: Array<{ p50: number; p99: number }> = [];
  for (let i = 0; i < RUNS; i++) solo.push(await sequential(router, farms, SEQUENTIAL));
  lines.push(
    `one player at a time (${SEQUENTIAL} per run, ${RUNS} runs): latency p50 ${median(solo.map((x) => x.p50)).toFixed(1)} ms, p99 ${median(solo.map((x) => x.p99)).toFixed(1)} ms (medians)`,
  );
  console.log(lines.join('\n'));
} finally {
  await Promise.all([router?.proc.stop(), ...farms.map((f) => f.proc.stop())]);
}
