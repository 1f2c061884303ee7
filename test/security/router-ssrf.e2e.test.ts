// Abuse suite, router: a player's request target can never make the router open a socket to anything but
// a sidecar discovery lists. Real router process, real sidecar, and an "internal service" (a WebSocket
// server and a plain HTTP server on loopback) that must never receive a single request.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { SessionCookies } from '../../router/session-cookie.js';
import {
  TOKEN,
  startFarms,
  startRouterProc,
  type Farm,
  type RouterProc,
} from '../../router/testing/stack.js';
import { rawUpgrade, type RawUpgrade } from './raw-upgrade.js';

describe('router SSRF: the player path never names a host', () => {
  let farm: Farm;
  let router: RouterProc;
  let internal: http.Server;
  let internalPort: number;
  const internalHits: string[] = [];
  const open: RawUpgrade[] = [];

  beforeAll(async () => {
    internal = http.createServer((req, res) => {
      internalHits.push(`${req.method} ${req.url}`);
      res.end('internal secret');
    });
    const wss = new WebSocketServer({ noServer: true });
    internal.on('upgrade', (req, socket, head) => {
      internalHits.push(`upgrade ${req.url}`);
      wss.handleUpgrade(req, socket, head, (ws) => ws.send('{"type":"internal"}'));
    });
    await new Promise<void>((r) => internal.listen(0, '127.0.0.1', r));
    internalPort = (internal.address() as AddressInfo).port;
    // One pod per case below: a dropped raw socket leaves its reservation to the resume grace.
    [farm] = (await startFarms([4])) as [Farm];
    router = await startRouterProc(farm.sidecars.map((s) => s.url));
  }, 60_000);

  afterAll(async () => {
    for (const u of open) u.destroy();
    await Promise.all([router?.proc.stop(), farm?.proc.stop()]);
    internal?.closeAllConnections();
    await new Promise((r) => internal?.close(r));
  });

  const attack = (target: string) => {
    const u = rawUpgrade(router.port, target);
    open.push(u);
    return u;
  };

  it.each([
    ['dot segment', (p: number) => `/.//127.0.0.1:${p}/anything`],
    ['encoded dot segment', (p: number) => `/%2e//127.0.0.1:${p}/anything`],
    ['parent segment', (p: number) => `/a/..//127.0.0.1:${p}/anything`],
    ['doubled slashes', (p: number) => `/a/..///127.0.0.1:${p}/anything?x=1`],
  ])('a %s target reaches the pod, not the host it names', async (_name, target) => {
    const u = attack(target(internalPort));
    expect(await u.status()).toBe(101);
    // The sidecar's first message: the socket was piped to the pod discovery listed.
    await u.waitFor('"type":"config"');
    expect(u.text()).not.toContain('internal');
    u.destroy();
    await u.closed;
    expect(internalHits).toEqual([]);
    // Resume cookie (handshake): opaque, no pod address or reservation id in any readable form.
    const cookie = /pxs_session=([^;\r\n]+)/.exec(u.text())?.[1];
    expect(cookie).toBeDefined();
    const urls = farm.sidecars.map((s) => s.url);
    for (const form of [cookie!, Buffer.from(cookie!, 'base64url').toString('latin1')])
      for (const url of urls) expect(form).not.toContain(new URL(url).host);
    expect(urls).toContain(new SessionCookies(TOKEN).decode(cookie)?.sidecarUrl);
  });

  it.each([
    ['network-path reference', (p: number) => `//127.0.0.1:${p}/anything`],
    ['backslash', (p: number) => `/\\\\127.0.0.1:${p}/anything`],
    ['absolute URL', (p: number) => `http://127.0.0.1:${p}/anything`],
  ])('a %s target is refused with a coded 400 before any pod is reserved', async (_name, target) => {
    const u = attack(target(internalPort));
    expect(await u.status()).toBe(400);
    await u.waitFor('"code":"bad_upgrade"');
    expect(internalHits).toEqual([]);
  });
});
