import { describe, expect, it } from 'vitest';
import { checkUpgrade, upstreamTarget } from './upgrade-check.js';

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

describe('upstreamTarget', () => {
  it('keeps the player path and query and adds the reservation', () => {
    expect(upstreamTarget('/play?StreamerId=a', 'reservation', 'r1')).toBe(
      '/play?StreamerId=a&reservation=r1',
    );
  });

  it('drops a reservation the player tried to pass itself', () => {
    expect(upstreamTarget('/?reservation=stolen&x=1', 'reservation', 'mine')).toBe('/?x=1&reservation=mine');
  });
});
