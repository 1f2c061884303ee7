// `npm run bench:turn`: what the TURN path costs on this machine, against the real entrypoint and coturn
// with the production-rendered config. As root it re-runs itself in a private network namespace (like
// the test suite) with a node address and a pod address, so nothing leaves the machine. Prints a table.
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { turnCredential } from '../common/turn-credentials.js';
import { freePort } from '../test/support/processes.js';
import { addLocalAddresses, startTurnMain } from './test-helpers.js';
import { TurnClient } from './turn-client.js';

if (process.env.PIXEL_TEST_NETNS !== '1') {
  if (process.getuid?.() !== 0) {
    console.error('bench:turn needs root (it runs in its own network namespace)');
    process.exit(1);
  }
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(
    'unshare',
    ['-n', '--', 'sh', '-c', `ip link set lo up && exec "${process.execPath}" --import tsx "${self}"`],
    {
      stdio: 'inherit',
      env: { ...process.env, PIXEL_TEST_NETNS: '1' },
    },
  );
  process.exit(r.status ?? 1);
}

const SECRET = 'bench-secret-0123456789abcdef';
const NODE_IP = '198.51.100.1';
const POD_IP = '10.244.1.5';
/** Runs of each measurement; the table reports the median (and p95 where a run has many samples). */
const RUNS = 5;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

const removeAddresses = addLocalAddresses('pxbench0', [NODE_IP, POD_IP]);
const rows: [string, string, string][] = [];
let turn: ReturnType<typeof startTurnMain> | undefined;
try {
  // 1. Entrypoint start → coturn answering STUN (config, discovery via env, render, spawn).
  const starts: number[] = [];
  let port = 0;
  for (let i = 0; i < RUNS; i++) {
    port = await freePort(NODE_IP);
    const t0 = process.hrtime.bigint();
    turn = startTurnMain({
      TURN_SECRET: SECRET,
      TURN_EXTERNAL_IP: NODE_IP,
      TURN_PRIVATE_IP: NODE_IP,
      TURN_LISTEN_PORT: String(port),
      TURN_MIN_PORT: '50000',
      TURN_MAX_PORT: '50999',
      TURN_ALLOWED_PEER_CIDRS: '10.244.0.0/16',
    });
    await turn.waitFor((l) => l.msg === 'ready', 20_000);
    starts.push(ms(t0));
    if (i < RUNS - 1) await turn.stop();
  }
  rows.push(['entrypoint start → STUN answered', `${quantile(starts, 0.5).toFixed(0)} ms`, `${RUNS} starts`]);

  // 2. Allocate with long-term auth (challenge + authenticated request). The clients stay open until the
  // end: a closed client's port may be reused at once, and coturn still holds that 5-tuple briefly (437).
  const allocs: number[] = [];
  const open: TurnClient[] = [];
  for (let i = 0; i < 200; i++) {
    const cred = turnCredential(SECRET, `bench-${i}`, 600);
    const client = await TurnClient.open({
      server: { host: NODE_IP, port },
      username: cred.username,
      password: cred.credential,
    });
    open.push(client);
    const t0 = process.hrtime.bigint();
    await client.allocate();
    allocs.push(ms(t0));
  }
  await Promise.all(open.map((c) => c.close()));
  rows.push([
    'Allocate incl. 401 challenge',
    `${quantile(allocs, 0.5).toFixed(2)} ms`,
    `p95 ${quantile(allocs, 0.95).toFixed(2)} ms, n=200`,
  ]);

  // 3. Relay round trip: client → Send → pod echo → Data → client.
  const cred = turnCredential(SECRET, 'bench-rtt', 600);
  const client = await TurnClient.open({
    server: { host: NODE_IP, port },
    username: cred.username,
    password: cred.credential,
  });
  await client.allocate();
  await client.createPermission(POD_IP);
  const echo = createSocket('udp4');
  echo.bind(0, POD_IP);
  await once(echo, 'listening');
  echo.on('message', (m, from) => echo.send(m, from.port, from.address));
  const peer = { address: POD_IP, port: echo.address().port };
  const medians: number[] = [];
  const p95s: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const rtts: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = process.hrtime.bigint();
      const got = once(client, 'data');
      client.send(peer, Buffer.alloc(1200, i));
      await got;
      rtts.push(ms(t0));
    }
    medians.push(quantile(rtts, 0.5));
    p95s.push(quantile(rtts, 0.95));
  }
  rows.push([
    'relay round trip, 1200 B',
    `${quantile(medians, 0.5).toFixed(3)} ms`,
    `p95 ${quantile(p95s, 0.5).toFixed(3)} ms (median of ${RUNS}×200)`,
  ]);

  // 4. One-way relay throughput: 1200-byte packets for 2 s, counted at the pod.
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    let received = 0;
    const sink = createSocket('udp4');
    sink.bind(0, POD_IP);
    await once(sink, 'listening');
    sink.on('message', () => received++);
    const target = { address: POD_IP, port: sink.address().port };
    const t0 = Date.now();
    let sent = 0;
    while (Date.now() - t0 < 2_000) {
      for (let i = 0; i < 50; i++, sent++) client.send(target, Buffer.alloc(1200));
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 200));
    sink.close();
    rates.push(received / 2);
    if (run === 0) rows.push(['  (offered load)', `${Math.round(sent / 2)} pkt/s`, 'first run']);
  }
  const mbps = (quantile(rates, 0.5) * 1200 * 8) / 1e6;
  rows.push([
    'relay throughput, 1200 B packets',
    `${Math.round(quantile(rates, 0.5))} pkt/s`,
    `${mbps.toFixed(0)} Mbit/s, median of ${RUNS}×2 s`,
  ]);

  echo.close();
  await client.close();
} finally {
  await turn?.stop();
  removeAddresses();
}

const w = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length))];
console.log(`\nTURN benchmark (coturn via turn/main.ts, production config; ${new Date().toISOString()})\n`);
console.log(`${'measure'.padEnd(w[0]!)}  ${'median'.padEnd(w[1]!)}  detail`);
for (const [a, b, c] of rows) console.log(`${a.padEnd(w[0]!)}  ${b.padEnd(w[1]!)}  ${c}`);
