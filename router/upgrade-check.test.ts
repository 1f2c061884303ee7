import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkUpgrade, upstreamUrl } from './upgrade-check.js';

const good = {
  method: 'GET',
  url: '/?StreamerId=x',
  headers: {
    upgrade: 'websocket',
    'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'sec-websocket-version': '13',
  },
};

describe('checkUpgrade', () => {
  it('accepts a well-formed upgrade', () => {
    expect(checkUpgrade(good)).toBeUndefined();
  });

  it.each([
    ['POST', { ...good, method: 'POST' }, 405],
    ['long target', { ...good, url: `/${'a'.repeat(3000)}` }, 414],
    ['absolute target', { ...good, url: 'http://evil/' }, 400],
    ['network-path target', { ...good, url: '//evil:80/x' }, 400],
    ['backslash target', { ...good, url: '/\\evil/x' }, 400],
    ['control character', { ...good, url: '/a\tb' }, 400],
    ['no upgrade header', { ...good, headers: { ...good.headers, upgrade: 'h2c' } }, 400],
    ['no key', { ...good, headers: { ...good.headers, 'sec-websocket-key': undefined } }, 400],
    ['bad key', { ...good, headers: { ...good.headers, 'sec-websocket-key': 'short' } }, 400],
    ['old version', { ...good, headers: { ...good.headers, 'sec-websocket-version': '8' } }, 400],
  ])('refuses %s', (_name, req, status) => {
    const problem = checkUpgrade(req);
    expect(problem?.code).toBe('bad_upgrade');
    expect(problem?.status).toBe(status);
  });
});

describe('upstreamUrl', () => {
  const at = (player: string, id = 'r1') =>
    upstreamUrl('http://10.0.0.5:8080', player, 'reservation', id)?.href;

  it('keeps the player path and query and adds the reservation', () => {
    expect(at('/play?StreamerId=a')).toBe('ws://10.0.0.5:8080/play?StreamerId=a&reservation=r1');
  });

  it('drops a reservation the player tried to pass itself', () => {
    expect(at('/?reservation=stolen&x=1', 'mine')).toBe('ws://10.0.0.5:8080/?x=1&reservation=mine');
  });

  it('uses wss for an https sidecar', () => {
    expect(upstreamUrl('https://[fd00::5]:8443', '/', 'reservation', 'r')?.href).toBe(
      'wss://[fd00::5]:8443/?reservation=r',
    );
  });

  it.each([
    ['/.//127.0.0.1:19555/anything', 'ws://10.0.0.5:8080/127.0.0.1:19555/anything?reservation=r1'],
    ['/%2e//169.254.169.254/latest', 'ws://10.0.0.5:8080/169.254.169.254/latest?reservation=r1'],
    ['/a/..//host:1/x', 'ws://10.0.0.5:8080/host:1/x?reservation=r1'],
    ['/a/.%2e//host/x', 'ws://10.0.0.5:8080/host/x?reservation=r1'],
    ['/x//y///z', 'ws://10.0.0.5:8080/x/y/z?reservation=r1'],
  ])('keeps %s on the pod (normalised path)', (player, href) => {
    expect(at(player)).toBe(href);
  });

  it.each(['//evil/x', '/\\evil/x', 'http://evil/', 'evil', '/a b'])('refuses %s', (player) => {
    expect(at(player)).toBeUndefined();
  });

  it('never leaves the endpoint host, whatever the path', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('/', '.', '..', '%2e', '%2E', 'h:1', '@', '?', '#', 'a'), { maxLength: 12 }),
        (parts) => {
          const u = upstreamUrl('http://10.0.0.5:8080', `/${parts.join('')}`, 'reservation', 'r');
          if (u) expect(u.host).toBe('10.0.0.5:8080');
        },
      ),
    );
  });
});
