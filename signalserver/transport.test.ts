// The per-socket transport on real WebSockets: a handler that throws costs that peer its connection (1011,
// counted as handler_failed), never the process, and the next peer is served as before.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { CLOSE } from '../common/index.js';
import { attachTransport, type RejectionReason } from './transport.js';

let server: WebSocketServer | undefined;
afterEach(async () => {
  if (server) await new Promise((r) => server?.close(r));
  server = undefined;
});

async function listen(onPeer: (ws: WebSocket) => void): Promise<string> {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', onPeer);
  await once(server, 'listening');
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const OPTIONS = {
  maxBytes: 64 * 1024,
  rate: { perSecond: 100, burst: 100 },
  keepaliveSeconds: 0,
  maxBufferedBytes: 1024 * 1024,
};

describe('transport', () => {
  it('closes only the peer whose message made a handler throw, and counts it', async () => {
    const rejected: Array<[RejectionReason, string]> = [];
    const handled: string[] = [];
    const url = await listen((ws) => {
      const conn = attachTransport(ws, 'test', OPTIONS, {
        onMessage(m) {
          if (m.type === 'listStreamers') throw new Error('boom');
          handled.push(m.type);
          conn.send({ type: 'pong', time: 1 });
        },
        onReject: (reason, detail) => rejected.push([reason, detail]),
        onClose: () => undefined,
      });
    });

    const victim = new WebSocket(url);
    await once(victim, 'open');
    const closed = once(victim, 'close');
    victim.send(JSON.stringify({ type: 'listStreamers' }));
    const [code, reason] = (await closed) as [number, Buffer];
    expect([code, reason.toString()]).toEqual([CLOSE.internalError, 'internal error']);
    expect(rejected).toEqual([['handler_failed', 'handling listStreamers failed: boom']]);

    const next = new WebSocket(url);
    await once(next, 'open');
    const reply = once(next, 'message');
    next.send(JSON.stringify({ type: 'ping', time: 1 }));
    expect(JSON.parse(String((await reply)[0]))).toEqual({ type: 'pong', time: 1 });
    expect(handled).toEqual(['ping']);
    next.close();
  });

  it('cuts a peer that stops reading once more than maxBufferedBytes wait for it', async () => {
    const rejected: RejectionReason[] = [];
    let closedWith: number | undefined;
    let conn!: ReturnType<typeof attachTransport>;
    const attached = new Promise<void>((resolve) => {
      void listen((ws) => {
        conn = attachTransport(ws, 'test', OPTIONS, {
          onMessage: () => undefined,
          onReject: (reason) => rejected.push(reason),
          onClose: (code) => (closedWith = code),
        });
        resolve();
      }).then((url) => {
        const reader = new WebSocket(url);
        // A real peer whose TCP socket stops being read: the kernel buffers fill, then ours.
        reader.once('open', () => (reader as unknown as { _socket: { pause(): void } })._socket.pause());
      });
    });
    await attached;
    const chunk = 'x'.repeat(60 * 1024);
    let sent = 0;
    while (conn.isOpen) {
      conn.send({ type: 'pong', time: sent++, pad: chunk } as never);
      expect(conn.bufferedAmount).toBeLessThanOrEqual(OPTIONS.maxBufferedBytes + 70 * 1024);
      // Let the socket flush what the kernel still takes, as a live process would between messages.
      if (sent % 16 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(rejected).toEqual(['backlogged']);
    expect(closedWith).toBe(CLOSE.backlogged);
  });
});
