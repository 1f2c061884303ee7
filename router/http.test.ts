// The router's public HTTP surface on a real loopback port: the resume-ticket exchange and what hostile or
// broken requests get back — always a coded JSON answer and one log line, never an HTML error page.
// Covered: cookie attributes, `Secure` behind an HTTPS proxy, another origin refused, and bodies that are
// not JSON, `null`, over 4 KiB or of the wrong shape.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLog } from '../test/support/log-capture.js';
import { createApp } from './http.js';
import { SessionCookies } from './session-cookie.js';

const { logger, lines } = captureLog('router');
const cookies = new SessionCookies('http-test-token-0123456789');
let server: http.Server;
let base = '';

beforeAll(async () => {
  const app = createApp({
    playerPageDir: '/nonexistent-player-page',
    ready: () => true,
    cookies,
    log: logger,
  });
  server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const postSession = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base, ...headers },
    body,
  });

describe('POST /session', () => {
  it('trades a valid ticket for the HttpOnly cookie, Secure behind an HTTPS proxy', async () => {
    const ticket = cookies.encode({ sidecarUrl: 'http://10.0.0.7:8080', reservationId: 'r1' });
    const plain = await postSession(JSON.stringify({ ticket }));
    expect(plain.status).toBe(204);
    const set = plain.headers.get('set-cookie')!;
    expect(set).toMatch(/^pxs_session=[\w-]+; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(cookies.decode(/^pxs_session=([^;]+)/.exec(set)?.[1])).toEqual({
      sidecarUrl: 'http://10.0.0.7:8080',
      reservationId: 'r1',
    });
    const proxied = await postSession(JSON.stringify({ ticket }), { 'x-forwarded-proto': 'https' });
    expect(proxied.headers.get('set-cookie')).toMatch(/; Secure$/);
  });

  it('answers a malformed, oversized or wrongly shaped body with a coded JSON error and a log line', async () => {
    const cases: Array<[string, number, string]> = [
      ['{"ticket":', 400, 'bad_request'],
      ['null', 400, 'bad_request'],
      [JSON.stringify({ ticket: 'a'.repeat(8000) }), 413, 'bad_request'],
      ['[1,2]', 400, 'bad_session_ticket'],
      [JSON.stringify({ ticket: 42 }), 400, 'bad_session_ticket'],
    ];
    for (const [body, status, code] of cases) {
      const res = await postSession(body);
      expect(res.status, body.slice(0, 40)).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const json = (await res.json()) as { code: string; message: string };
      expect(json.code).toBe(code);
      expect(json.message).not.toMatch(/ at |node_modules/);
    }
    expect(lines.filter((l) => l.code === 'BAD_REQUEST').map((l) => l.status)).toEqual([400, 400, 413]);
    expect(lines.filter((l) => l.code === 'BAD_SESSION_TICKET')).toHaveLength(2);
  });

  it('refuses a ticket posted from another origin', async () => {
    const ticket = cookies.encode({ sidecarUrl: 'http://10.0.0.7:8080', reservationId: 'r1' });
    const res = await postSession(JSON.stringify({ ticket }), { origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('cross_origin');
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});
