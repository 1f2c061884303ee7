// Abuse suite, sidecar: every attack on the sidecar's ports, replayed against a real sidecar process with
// every secret set. What broke once (a non-JSON reservation body granted, unbounded auth-failure logging,
// the streamer token checked after the upgrade) and what always held (constant-time reservation auth,
// socket caps, floods, oversized, binary and hostile frames, spoofed player ids, no secrets in /status
// or /metrics) stay that way.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLOSE } from '../../common/index.js';
import { PlayerClient } from '../../test/support/player-client.js';
import type { RunningProcess } from '../../test/support/processes.js';
import type { StreamerStandIn } from '../../test/support/streamer-stand-in.js';
import { rawUpgrade } from './raw-upgrade.js';
import { startSidecarWithStreamer } from './sidecar-with-streamer.js';

const ROUTER_TOKEN = 'abuse-router-token-0123456789';
const STREAMER_TOKEN = 'abuse-streamer-token-0123456789';
const TURN_SECRET = 'abuse-turn-secret-0123456789';

let proc: RunningProcess;
let ports: { playerPort: number; streamerPort: number; metricsPort: number };
let http: string;
let streamer: StreamerStandIn;
const open: Array<{ close(): unknown }> = [];

beforeAll(async () => {
  ({ proc, ports, streamer } = await startSidecarWithStreamer(
    {
      ROUTER_TOKEN,
      STREAMER_TOKEN,
      TURN_SECRET,
      TURN_URLS: 'turn:192.0.2.1:3478',
      MAX_PLAYER_SOCKETS: '4',
    },
    'pod',
    `?token=${STREAMER_TOKEN}`,
  ));
  http = `http://127.0.0.1:${ports.playerPort}`;
  open.push(streamer);
}, 60_000);

afterAll(async () => {
  for (const c of open) await c.close();
  await proc?.stop();
});

const reserve = (headers: Record<string, string>, body?: string) =>
  fetch(`${http}/reservations`, { method: 'POST', headers, ...(body === undefined ? {} : { body }) });

async function metric(key: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${ports.metricsPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${key} `));
  return line ? Number(line.slice(key.length + 1)) : 0;
}

describe('reservation API', () => {
  it.each([
    ['no token', {}],
    ['a wrong token of the same length', { authorization: `Bearer ${ROUTER_TOKEN.slice(0, -1)}X` }],
    ['a shorter token', { authorization: `Bearer ${ROUTER_TOKEN.slice(0, 8)}` }],
    ['another scheme', { authorization: `Basic ${ROUTER_TOKEN}` }],
    ['the token with a suffix', { authorization: `Bearer ${ROUTER_TOKEN}x` }],
  ])('refuses %s with 401', async (_name, headers) => {
    const res = await reserve({ ...headers, 'content-type': 'application/json' }, '{}');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'unauthorized' });
  });

  it('refuses a body that is not JSON with 415 and grants nothing', async () => {
    const res = await reserve(
      { authorization: `Bearer ${ROUTER_TOKEN}`, 'content-type': 'text/plain' },
      'garbage',
    );
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ code: 'bad_request' });
    expect(((await (await fetch(`${http}/status`)).json()) as { reserved: boolean }).reserved).toBe(false);
  });

  it('counts every refused token but logs a flood of them in bounded, aggregated form', async () => {
    const before = await metric('pixelstream_rejections_total{reason="unauthorized"}');
    const lines = () =>
      proc.lines.filter((l) => l.msg === 'reservation request without a valid router token');
    const logged = lines().length;
    for (let i = 0; i < 10; i++)
      await Promise.all(Array.from({ length: 50 }, () => reserve({ authorization: 'Bearer nope' })));
    expect(await metric('pixelstream_rejections_total{reason="unauthorized"}')).toBe(before + 500);
    // One line per address per 10 s; the cases above may have logged the first.
    expect(lines().length - logged).toBeLessThanOrEqual(1);
  });
});

describe('streamer port', () => {
  it('answers an upgrade without the token with HTTP 401, never a WebSocket', async () => {
    for (const target of ['/', '/?token=wrong', `/?token=${STREAMER_TOKEN.slice(0, -1)}X`]) {
      const u = rawUpgrade(ports.streamerPort, target);
      expect(await u.status()).toBe(401);
      await u.waitFor('"code":"unauthorized"');
      await u.closed;
    }
  });

  it('drops silent connections beyond its cap and cuts the rest after the header timeout', async () => {
    const sockets = Array.from({ length: 24 }, () => net.connect(ports.streamerPort, '127.0.0.1'));
    const closed = sockets.map(
      (s) => new Promise<void>((r) => (s.on('error', () => undefined), s.once('close', () => r()))),
    );
    await Promise.all(closed);
    // …and the real streamer, already connected, never noticed.
    expect(streamer.isOpen).toBe(true);
  });
});

describe('player port', () => {
  it('refuses sockets over MAX_PLAYER_SOCKETS with a coded 503', async () => {
    const players = await Promise.all(
      Array.from({ length: 4 }, () => PlayerClient.connect(`ws://127.0.0.1:${ports.playerPort}/`)),
    );
    const extra = rawUpgrade(ports.playerPort, '/');
    expect(await extra.status()).toBe(503);
    await extra.waitFor('"code":"too_many_sockets"');
    await Promise.all(players.map((p) => p.close()));
  });

  it('closes floods (4429) and oversized frames (1009), survives binary and hostile JSON', async () => {
    const flood = await PlayerClient.connect(`ws://127.0.0.1:${ports.playerPort}/`);
    for (let i = 0; i < 300 && flood.isOpen; i++) flood.send({ type: 'listStreamers' });
    expect((await flood.closed).code).toBe(CLOSE.rateLimited);

    const big = await PlayerClient.connect(`ws://127.0.0.1:${ports.playerPort}/`);
    big.sendRaw(JSON.stringify({ type: 'ping', pad: 'x'.repeat(300 * 1024) }), false);
    expect((await big.closed).code).toBe(CLOSE.tooLarge);

    const hostile = await PlayerClient.connect(`ws://127.0.0.1:${ports.playerPort}/`);
    open.push(hostile);
    hostile.sendRaw(Buffer.from([0xff, 0x00, 0xfe, 0x01]));
    hostile.sendRaw(`${'['.repeat(50_000)}${']'.repeat(50_000)}`, false);
    hostile.sendRaw(
      '{"type":"ping","time":1,"__proto__":{"polluted":true},"constructor":{"prototype":{"p":1}}}',
      false,
    );
    hostile.sendRaw('{"type":"subscribe","streamerId":{"__proto__":{"x":1}}}', false);
    hostile.send({ type: 'ping', time: 7 });
    expect((await hostile.nextOf('pong')).time).toBe(1);
    expect((await hostile.nextOf('pong')).time).toBe(7);
    expect(hostile.isOpen).toBe(true);
    // The process still serves everyone.
    expect((await fetch(`${http}/healthz`)).status).toBe(200);
  });

  it('stamps relayed messages with the sender’s own player id, whatever id it claims', async () => {
    const player = await PlayerClient.connect(`ws://127.0.0.1:${ports.playerPort}/`);
    open.push(player);
    await player.subscribeAndWaitOffer('pod');
    const connected = streamer.received.filter((m) => m.type === 'playerConnected').at(-1)!;
    player.send({
      type: 'iceCandidate',
      playerId: 'someone-else',
      candidate: { candidate: 'candidate:1 1 udp 1 192.0.2.9 9 typ host', sdpMid: '0', sdpMLineIndex: 0 },
    });
    await vi.waitFor(() => expect(streamer.received.some((m) => m.type === 'iceCandidate')).toBe(true));
    const relayed = streamer.received.filter((m) => m.type === 'iceCandidate').at(-1)!;
    expect(relayed.playerId).toBe(connected.playerId);
    await player.close();
  });
});

describe('read-only endpoints', () => {
  it('never show a secret in /status, /readyz, /healthz or /metrics', async () => {
    const bodies = await Promise.all(
      [
        `${http}/status`,
        `${http}/readyz`,
        `${http}/healthz`,
        `http://127.0.0.1:${ports.metricsPort}/metrics`,
      ].map(async (u) => (await fetch(u)).text()),
    );
    for (const body of bodies)
      for (const secret of [ROUTER_TOKEN, STREAMER_TOKEN, TURN_SECRET]) expect(body).not.toContain(secret);
    // Nor does the log.
    const log = JSON.stringify(proc.lines);
    for (const secret of [ROUTER_TOKEN, STREAMER_TOKEN, TURN_SECRET]) expect(log).not.toContain(secret);
  });
});
