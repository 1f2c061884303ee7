// Silent, slow and chatty clients on an in-process router (no pods, so every player waits): a socket that
// stops answering WebSocket pings is dropped with a log line, a live one stays; a waiting player that sends
// more than the router holds for it, or one oversized message, is closed with its code.
// (the 65th held message: 1008 `early_overflow`, pings answered rather than held; over 256 KiB: 1009).
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { loadRouterConfig } from './config.js';
import { startRouter, type Router } from './router.js';
import { StaticDiscovery } from './static-discovery.js';
import { captureLog } from '../test/support/log-capture.js';

const { logger, lines } = captureLog('router');

let router: Router;

beforeAll(async () => {
  const config = loadRouterConfig({
    ROUTER_PORT: '0',
    METRICS_PORT: '0',
    ROUTER_HOST: '127.0.0.1',
    ROUTER_TOKEN: 'liveness-test-token-0123456789',
    SIDECAR_URLS: 'http://127.0.0.1:9',
    PLAYER_PAGE_DIR: '/nonexistent-player-page',
  });
  router = await startRouter(config, logger, {
    clientPingMs: 150,
    holdMs: 50,
    discovery: new StaticDiscovery([]),
    processMetrics: false,
  });
});

afterAll(async () => {
  await router.close();
});

describe('liveness', () => {
  it('drops a player that completed the handshake but never answers pings; keeps one that does', async () => {
    const live = new WebSocket(`ws://127.0.0.1:${router.port}/`);
    await new Promise((r) => live.once('open', r));
    const silent = net.connect(router.port, '127.0.0.1');
    silent.write(
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    let head = '';
    silent.setEncoding('latin1');
    silent.on('data', (d: string) => (head += d));
    const gone = new Promise<void>((r) => silent.once('close', () => r()));
    silent.on('error', () => {});
    await vi.waitFor(() => expect(head).toMatch(/^HTTP\/1\.1 101/), 3000);
    await gone;
    await vi.waitFor(() => expect(lines.some((l) => l.code === 'PLAYER_SILENT')).toBe(true), 3000);
    expect(live.readyState).toBe(WebSocket.OPEN);
    await vi.waitFor(() => expect(router.waiting()).toBe(1), 3000);
    live.close(1000);
    await vi.waitFor(() => expect(router.waiting()).toBe(0), 3000);
  });

  it('holds 64 messages from a waiting player, closes it with 1008 on the 65th; an oversized message gets 1009', async () => {
    const chatty = new WebSocket(`ws://127.0.0.1:${router.port}/`);
    const chattyClosed = new Promise<number>((r) => chatty.once('close', (code) => r(code)));
    const received: Array<{ type: string; time?: number }> = [];
    chatty.on('message', (d) =>
      received.push(JSON.parse((d as Buffer).toString('utf8')) as { type: string }),
    );
    await new Promise((r) => chatty.once('open', r));
    for (let i = 0; i < 64; i++) chatty.send(JSON.stringify({ type: 'listStreamers' }));
    // A keepalive ping is answered, not held: it does not count towards the bound.
    chatty.send(JSON.stringify({ type: 'ping', time: 1 }));
    await vi.waitFor(() => expect(received.some((m) => m.type === 'pong')).toBe(true), 3000);
    expect(received.find((m) => m.type === 'pong')).toEqual({ type: 'pong', time: 1 });
    expect(chatty.readyState).toBe(WebSocket.OPEN);
    chatty.send(JSON.stringify({ type: 'listStreamers' }));
    expect(await chattyClosed).toBe(1008);
    expect(lines.find((l) => l.code === 'EARLY_OVERFLOW')).toMatchObject({ messages: 65 });

    const big = new WebSocket(`ws://127.0.0.1:${router.port}/`);
    const bigClosed = new Promise<number>((r) => big.once('close', (code) => r(code)));
    big.on('error', () => {});
    await new Promise((r) => big.once('open', r));
    big.send(Buffer.alloc(256 * 1024 + 1));
    expect(await bigClosed).toBe(1009);
    await vi.waitFor(() => expect(router.waiting()).toBe(0), 3000);
  });

  it('counts waiting players in the queue gauge and readiness reflects discovery', async () => {
    const text = await router.metrics.registry.getSingleMetricAsString('pixelstream_router_queue_length');
    expect(text).toMatch(/pixelstream_router_queue_length 0/);
    const res = await fetch(`http://127.0.0.1:${router.port}/readyz`);
    expect(res.status).toBe(200);
    const health = await fetch(`http://127.0.0.1:${router.port}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
  });
});
