// `npm run bench:srtp-send`: the CPU one player's copy of one RTP packet costs the streamer on each send
// path, apart from everything else: a 1,172-byte VP8 payload sealed with SRTP AES-GCM and sent over UDP to a
// receiver in another process (loopback; the kernel's delivery into the receiver runs in the sender's
// system time, as it does for players on the same machine), in frames of 9 packets (8 full, 1 short).
//   js     — what the streamer does without the addon (lean-rtp-sender.ts's sealGcm): a fresh Node
//            AES-GCM cipher per packet, the sealed packet in a new buffer, one dgram send each;
//   native — the srtp-send addon: one AES-GCM context for the session, the frame's packets batched and sent
//            in one sendmsg with UDP segmentation offload.
// Five alternating rounds of each; the table gives every round and the median. BENCH_PACKETS sets the
// packets per round (default 30,000).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { setImmediate as turn } from 'node:timers/promises';
import { gcmState, sealGcm } from '../streamer/lean-rtp-sender.js';
import { chooseSendPath, socketFd } from '../streamer/srtp-send.js';
import { markdownTable, median } from './table.js';

const PACKETS = Number(process.env.BENCH_PACKETS ?? 30_000);
const ROUNDS = 5;
const FRAME = 9;
const PAYLOAD = 1172;
const SSRC = 0x1122_3344;

const found = chooseSendPath('native');
const addon = found.addon!;

// The receiver: another process that reads and counts, so its CPU is not this one's.
const receiver = spawn(
  process.execPath,
  [
    '-e',
    `const s = require('node:dgram').createSocket({ type: 'udp4', recvBufferSize: 4 << 20 }); let n = 0;
     s.on('message', () => n++); s.bind(0, '127.0.0.1', () => console.log(s.address().port));
     process.stdin.on('data', () => console.log(n)); process.stdin.on('end', () => process.exit(0));`,
  ],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const lines: string[] = [];
const waiters: ((line: string) => void)[] = [];
receiver.stdout.setEncoding('utf8').on('data', (chunk: string) => {
  for (const line of chunk.split('\n').filter(Boolean)) {
    const w = waiters.shift();
    if (w) w(line);
    else lines.push(line);
  }
});
const nextLine = () => new Promise<string>((r) => (lines.length ? r(lines.shift()!) : waiters.push(r)));
const port = Number(await nextLine());

const tx = dgram.createSocket('udp4');
await new Promise<void>((r) => tx.bind(0, '127.0.0.1', r));
const key = randomBytes(16);
const salt = randomBytes(12);
const payloads = [randomBytes(PAYLOAD), randomBytes(333)];
const header = Buffer.alloc(12);
header[0] = 0x80;
header[1] = 96;
header.writeUInt32BE(SSRC, 8);

const gcm = gcmState(key, salt, SSRC);
function jsPacket(i: number): void {
  const payload = payloads[i % FRAME === FRAME - 1 ? 1 : 0]!;
  header.writeUInt16BE(i & 0xffff, 2);
  const out = Buffer.allocUnsafe(12 + payload.length + 16);
  header.copy(out);
  sealGcm(gcm, 0, i & 0xffff, out, 12, payload);
  tx.send(out, port, '127.0.0.1');
}

const channel = addon.open(socketFd(tx)!, 4, '127.0.0.1', port, key, salt);
function nativePacket(i: number): void {
  const last = i % FRAME === FRAME - 1;
  header.writeUInt16BE(i & 0xffff, 2);
  addon.seal(channel, header, payloads[last ? 1 : 0]!, 0);
  if (last) addon.flush(channel);
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function round(send: (i: number) => void): Promise<{ us: number; lost: number }> {
  receiver.stdin.write('\n');
  const before = Number(await nextLine());
  const start = cpuMs();
  for (let i = 0; i < PACKETS; i++) {
    send(i);
    // A frame at a time, as an encoder delivers them, and a pause every 50 frames so the receiver (a Node
    // process, slower at reading than either path is at sending) drains its socket instead of dropping.
    if (i % FRAME === FRAME - 1) await turn();
    if (i % (FRAME * 50) === FRAME * 50 - 1) await new Promise((r) => setTimeout(r, 10));
  }
  // A round that ends mid-frame leaves the addon's batch to send, as the streamer's end-of-turn flush would.
  addon.flush(channel);
  const us = ((cpuMs() - start) * 1000) / PACKETS;
  await new Promise((r) => setTimeout(r, 200));
  receiver.stdin.write('\n');
  return { us, lost: PACKETS - (Number(await nextLine()) - before) };
}

const results = { js: [] as number[], native: [] as number[] };
const lost = { js: 0, native: 0 };
for (let r = 0; r < ROUNDS; r++)
  for (const [name, send] of [
    ['js', jsPacket],
    ['native', nativePacket],
  ] as const) {
    const { us, lost: l } = await round(send);
    results[name].push(us);
    lost[name] += l;
  }
receiver.stdin.end();
tx.close();

process.stdout.write(
  `bench:srtp-send — ${PACKETS} packets a round (${PAYLOAD}-byte payloads, frames of ${FRAME}), ${ROUNDS} rounds each, addon ${found.path === 'native' ? found.file : '?'}\n\n`,
);
process.stdout.write(
  markdownTable(
    ['send path', 'µs CPU a packet (median)', 'rounds', 'packets not received'],
    (['js', 'native'] as const).map((k) => [
      k,
      median(results[k]).toFixed(2),
      results[k].map((v) => v.toFixed(2)).join(', '),
      String(lost[k]),
    ]),
  ) + '\n',
);
const stats = addon.stats(channel);
process.stdout.write(
  `\n(native: ${stats[2]} sends for ${stats[0]} packets, UDP GSO ${stats[5] ? 'on' : 'refused, sendmmsg'}; CPU of this process, user + system)\n`,
);
