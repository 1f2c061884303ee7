// The splice between a player socket and a sidecar socket, on real loopback WebSockets: both directions,
// text and binary kept apart, held messages first, close codes carried, and a slow side pausing the fast one.
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { splice } from './pipe.js';

const servers: WebSocketServer[] = [];
const sockets: WebSocket[] = [];

async function pair(): Promise<{ client: WebSocket; server: WebSocket }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', maxPayload: 64 * 1024 * 1024 });
  servers.push(wss);
  await new Promise((r) => wss.once('listening', r));
  const server = new Promise<WebSocket>((r) => wss.once('connection', r));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, {
    maxPayload: 64 * 1024 * 1024,
  });
  await new Promise((r) => client.once('open', r));
  const s = await server;
  sockets.push(client, s);
  return { client, server: s };
}

/** browser ⇄ [player socket | router | sidecar client] ⇄ sidecar */
async function chain(pending: Array<{ data: Buffer; isBinary: boolean }> = []) {
  const front = await pair(); // front.client = browser, front.server = router's player socket
  const back = await pair(); // back.client = router's sidecar socket, back.server = sidecar
  const ends: Array<{ first: string; code: number; reason: string }> = [];
  splice(front.server, back.client, pending, (first, code, reason) => ends.push({ first, code, reason }));
  return { browser: front.client, sidecar: back.server, routerPlayer: front.server, ends };
}

function collect(ws: WebSocket) {
  const got: Array<{ text: string; isBinary: boolean }> = [];
  ws.on('message', (d, isBinary) => got.push({ text: (d as Buffer).toString('utf8'), isBinary }));
  return got;
}

const closedWith = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>((r) =>
    ws.once('close', (code, reason) => r({ code, reason: reason.toString() })),
  );

afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await Promise.all(servers.splice(0).map((w) => new Promise((r) => w.close(r))));
});

describe('splice', () => {
  it('delivers held messages first, then both directions, text as text and binary as binary', async () => {
    const { browser, sidecar } = await chain([
      { data: Buffer.from('{"type":"early"}'), isBinary: false },
      { data: Buffer.from([1, 2, 3]), isBinary: true },
    ]);
    const atSidecar = collect(sidecar);
    const atBrowser = collect(browser);
    browser.send('{"type":"listStreamers"}');
    browser.send(Buffer.from('{"type":"binary-json"}'), { binary: true });
    sidecar.send('{"type":"config"}');
    sidecar.send(Buffer.from([9, 8]), { binary: true });
    await vi.waitFor(() => {
      expect(atSidecar).toHaveLength(4);
      expect(atBrowser).toHaveLength(2);
    }, 5000);
    expect(atSidecar).toEqual([
      { text: '{"type":"early"}', isBinary: false },
      { text: '\u0001\u0002\u0003', isBinary: true },
      { text: '{"type":"listStreamers"}', isBinary: false },
      { text: '{"type":"binary-json"}', isBinary: true },
    ]);
    expect(atBrowser).toEqual([
      { text: '{"type":"config"}', isBinary: false },
      { text: '\t\b', isBinary: true },
    ]);
  });

  it.each([
    ['the player close code and reason to the sidecar', 'player', 4321, 'bye'],
    ['the sidecar close code to the player (disconnectPlayer closes with 1011)', 'sidecar', 1011, 'kicked'],
  ] as const)('carries %s', async (_name, first, code, reason) => {
    const { browser, sidecar, ends } = await chain();
    const [closing, other] = first === 'player' ? [browser, sidecar] : [sidecar, browser];
    const closed = closedWith(other);
    closing.close(code, reason);
    expect(await closed).toEqual({ code, reason });
    await vi.waitFor(() => expect(ends).toHaveLength(1), 5000);
    expect(ends[0]).toEqual({ first, code, reason });
  });

  it('turns a dropped player connection into a dropped sidecar connection (1006), and no status into no status', async () => {
    const a = await chain();
    const dropped = closedWith(a.sidecar);
    a.browser.terminate();
    expect((await dropped).code).toBe(1006);
    const b = await chain();
    const plain = closedWith(b.sidecar);
    b.browser.close();
    expect((await plain).code).toBe(1005);
  });

  it('pauses the player side while the sidecar does not read, and loses nothing', async () => {
    const { browser, sidecar, routerPlayer } = await chain();
    sidecar.pause();
    const chunk = Buffer.alloc(1024 * 1024, 7);
    for (let i = 0; i < 48; i++) browser.send(chunk, { binary: true });
    await vi.waitFor(() => expect(routerPlayer.isPaused).toBe(true), 10_000);
    const got = collect(sidecar);
    sidecar.resume();
    await vi.waitFor(() => expect(got.length).toBe(48), 20_000); // not toHaveLength: it would print 48 MiB
    expect(got.every((m) => m.isBinary && m.text.length === chunk.length)).toBe(true);
    await vi.waitFor(() => expect(routerPlayer.isPaused).toBe(false), 5000);
  });
});
