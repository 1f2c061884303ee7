// Clients that connect and then say nothing, or stop half-way through a request, on an in-process router in
// front of a real sidecar: a player arriving meanwhile is served at once, and every stalled connection is
// answered 408 and closed by the router's header (or request) timeout — also when the client never
// closes its own side.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Sidecar } from '../signalserver/index.js';
import { startTestSidecar } from '../signalserver/test-sidecar.js';
import { StreamerStandIn } from '../test/support/streamer-stand-in.js';
import { loadRouterConfig } from './config.js';
import { startRouter, type Router } from './router.js';
import { Arrival } from './testing/arrival.js';
import { captureLog } from '../test/support/log-capture.js';
import { TOKEN } from './testing/stack.js';

// Far below Node's own limits (60 s, 300 s) and the test's (20 s): a limit not applied fails the test.
const HEADERS_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 2_000;

const { logger, lines } = captureLog('router');

let sidecar: Sidecar;
let standIn: StreamerStandIn;
let router: Router;
const open: Arrival[] = [];
const stalled: net.Socket[] = [];

beforeAll(async () => {
  ({ sidecar } = await startTestSidecar({ ROUTER_TOKEN: TOKEN }));
  standIn = await StreamerStandIn.start(`ws://127.0.0.1:${sidecar.ports.streamer}/`, { id: 'only' });
  await standIn.registered();
  const config = loadRouterConfig({
    ROUTER_PORT: '0',
    METRICS_PORT: '0',
    ROUTER_HOST: '127.0.0.1',
    ROUTER_TOKEN: TOKEN,
    SIDECAR_URLS: `http://127.0.0.1:${sidecar.ports.player}`,
    PLAYER_PAGE_DIR: '/nonexistent-player-page',
  });
  router = await startRouter(config, logger, {
    processMetrics: false,
    headersTimeoutMs: HEADERS_TIMEOUT_MS,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  });
});

afterAll(async () => {
  for (const s of stalled) s.destroy();
  for (const a of open) a.ws.terminate();
  await router?.close();
  standIn?.ws.terminate();
  await sidecar?.close();
});

interface Stalled {
  readonly socket: net.Socket;
  /** Everything the router sent. */
  received: string;
  /** Milliseconds from connect to the router closing the connection. */
  readonly closedAfter: Promise<number>;
}

/** Connects, sends `send` (possibly nothing) and then stays silent; `halfOpen` never closes its own side. */
async function stall(send: string, halfOpen = false): Promise<Stalled> {
  const socket = net.connect({ port: router.port, host: '127.0.0.1', allowHalfOpen: halfOpen });
  stalled.push(socket);
  await new Promise<void>((r) => socket.once('connect', () => r()));
  const start = Date.now();
  const s: Stalled = {
    socket,
    received: '',
    closedAfter: new Promise((resolve) => {
      // A half-open client learns of the router's full close only by writing after its FIN: the first
      // write draws a reset, the second fails.
      if (halfOpen)
        socket.once('end', () => {
          setTimeout(() => socket.write('x'), 50);
          setTimeout(() => socket.write('y'), 150);
        });
      socket.once('close', () => resolve(Date.now() - start));
    }),
  };
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => (s.received += d));
  socket.on('error', () => {});
  if (send) socket.write(send);
  return s;
}

describe('stalled HTTP clients', () => {
  it('do not hold up a player, and are answered 408 and closed by the header timeout', async () => {
    const silent = await Promise.all(Array.from({ length: 10 }, () => stall('')));
    const partial = await Promise.all(
      Array.from({ length: 10 }, () => stall('GET / HTTP/1.1\r\nHost: router\r\nUpgrade: websock')),
    );
    const halfOpen = await stall('GET /healthz HTTP/1.1\r\n', true);
    const all = [...silent, ...partial, halfOpen];

    // Served while all of them are still connected.
    const player = new Arrival(`ws://127.0.0.1:${router.port}/`);
    open.push(player);
    await player.waitFor('config', 5_000);
    expect(all.every((s) => !s.socket.destroyed)).toBe(true);

    const closedAfter = await Promise.all(all.map((s) => s.closedAfter));
    for (const [i, ms] of closedAfter.entries()) {
      expect(ms, `connection ${i}`).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    }
    for (const s of all) expect(s.received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(
      lines.filter((l) => l.code === 'BAD_REQUEST' && l.err === 'ERR_HTTP_REQUEST_TIMEOUT'),
    ).toHaveLength(all.length);

    // The router and the player's session carry on.
    expect(player.ws.readyState).toBe(WebSocket.OPEN);
    expect((await fetch(`http://127.0.0.1:${router.port}/healthz`)).status).toBe(200);
    player.ws.close(1000);
    await player.closed;
  });

  it('closes a request whose body never finishes at the request timeout', async () => {
    const body = await stall(
      'POST /session HTTP/1.1\r\nHost: router\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"tic',
    );
    const ms = await body.closedAfter;
    expect(ms).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(body.received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    const next = new Arrival(`ws://127.0.0.1:${router.port}/`);
    open.push(next);
    await next.waitFor('config', 5_000);
  });
});
