// Abuse suite, router: the attacks on the router's public port that held when it was first probed, replayed
// against a real router process and a real sidecar so they keep holding — forged and foreign cookies,
// `POST /session` abuse, slowloris, upgrade floods, path traversal, request smuggling, smuggled reservation
// ids, and no secrets on /healthz, /readyz or /metrics.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionCookies } from '../../router/session-cookie.js';
import { Arrival } from '../../router/testing/arrival.js';
import {
  TOKEN,
  scrape,
  startFarms,
  startRouterProc,
  type Farm,
  type RouterProc,
} from '../../router/testing/stack.js';
import { rawUpgrade } from './raw-upgrade.js';

let farm: Farm;
let router: RouterProc;
let base: string;
const open: Arrival[] = [];

beforeAll(async () => {
  [farm] = (await startFarms([2])) as [Farm];
  router = await startRouterProc(farm.sidecars.map((s) => s.url));
  base = `http://127.0.0.1:${router.port}`;
}, 60_000);

afterAll(async () => {
  for (const a of open) a.ws.terminate();
  await Promise.all([router?.proc.stop(), farm?.proc.stop()]);
});

/** Sends raw bytes and collects the whole answer until the router closes (or 15 s pass). */
function exchange(request: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(router.port, '127.0.0.1', () => s.write(request));
    let text = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => (text += d));
    s.on('error', () => undefined);
    s.on('close', () => resolve(text));
    setTimeout(() => (s.destroy(), resolve(text)), 15_000).unref();
  });
}

describe('resume cookies', () => {
  it.each([
    ['tampered', (c: string) => `${c.slice(0, -4)}AAAA`],
    [
      'sealed with another token',
      () =>
        new SessionCookies('another-router-token-0123456789').encode({
          sidecarUrl: 'http://127.0.0.1:1',
          reservationId: 'x',
        }),
    ],
    [
      'naming an undiscovered host',
      () => new SessionCookies(TOKEN).encode({ sidecarUrl: 'http://169.254.169.254:80', reservationId: 'x' }),
    ],
    ['garbage', () => '%00%0d%0a'.repeat(100)],
  ])('ignores a %s cookie and allocates normally', async (_name, make) => {
    const first = new Arrival(router.url);
    open.push(first);
    await first.waitFor('config');
    const cookie = `pxs_session=${make(first.cookie!.slice('pxs_session='.length))}`;
    await first.close(1000);
    const p = new Arrival(router.url, cookie);
    open.push(p);
    await p.waitFor('config');
    await p.close(1000);
  });
});

describe('POST /session', () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base, ...headers },
      body,
    });

  it.each([
    ['not JSON', '{"ticket":', {}, 400, 'bad_request'],
    ['too large', JSON.stringify({ ticket: 'a'.repeat(8000) }), {}, 413, 'bad_request'],
    ['a forged ticket', JSON.stringify({ ticket: 'AAAA' }), {}, 400, 'bad_session_ticket'],
    [
      'another origin',
      JSON.stringify({ ticket: 'AAAA' }),
      { origin: 'https://evil.example' },
      403,
      'cross_origin',
    ],
  ] as const)('refuses %s with a coded answer', async (_name, body, headers, status, code) => {
    const res = await post(body, headers);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ code });
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});

describe('HTTP parsing', () => {
  it('closes a slowloris client with 408 after the header timeout, while others are served', async () => {
    const slow = exchange('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const p = new Arrival(router.url);
    open.push(p);
    await p.waitFor('config');
    await p.close(1000);
    expect(await slow).toMatch(/^HTTP\/1\.1 408/);
  });

  it('refuses request smuggling (Content-Length with Transfer-Encoding) with 400', async () => {
    const text = await exchange(
      'POST /session HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect(text).toMatch(/^HTTP\/1\.1 400/);
    expect(text.match(/HTTP\/1\.1/g)?.length).toBe(1);
  });

  it.each([
    '/../../../../etc/passwd',
    '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/..%2f..%2f..%2fetc%2fpasswd',
    '/....//....//etc/passwd',
  ])('serves nothing outside the page for %s', async (path) => {
    const text = await exchange(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(text).not.toContain('root:');
    expect(text).toMatch(/^HTTP\/1\.1 (400|404)/);
  });

  it('answers an upgrade flood with coded 400s, logs it in bounded form and keeps serving', async () => {
    const before = router.proc.lines.filter((l) => l.msg === 'WebSocket upgrade refused').length;
    const flood = Array.from({ length: 200 }, () =>
      rawUpgrade(router.port, '/', { 'Sec-WebSocket-Version': '8' }),
    );
    const statuses = await Promise.all(flood.map((u) => u.status()));
    expect(new Set(statuses)).toEqual(new Set([400]));
    for (const u of flood) u.destroy();
    expect(
      router.proc.lines.filter((l) => l.msg === 'WebSocket upgrade refused').length - before,
    ).toBeLessThanOrEqual(1);
    const p = new Arrival(router.url);
    open.push(p);
    await p.waitFor('config');
    await p.close(1000);
  });
});

describe('reservation ids', () => {
  it('drops a reservation id the player put in its own URL', async () => {
    const p = new Arrival(`${router.url}?reservation=stolen-id`);
    open.push(p);
    await p.waitFor('config');
    const assigned = await router.proc.waitFor(
      (l) => l.msg === 'player assigned a pod' && typeof l.reservation === 'string',
    );
    expect(assigned.reservation).not.toBe('stolen-id');
    await p.close(1000);
  });
});

describe('read-only endpoints', () => {
  it('never show the router token', async () => {
    const bodies = await Promise.all([
      fetch(`${base}/healthz`).then((r) => r.text()),
      fetch(`${base}/readyz`).then((r) => r.text()),
      scrape(router.metricsPort),
    ]);
    for (const body of bodies) expect(body).not.toContain(TOKEN);
    expect(JSON.stringify(router.proc.lines)).not.toContain(TOKEN);
  });
});
