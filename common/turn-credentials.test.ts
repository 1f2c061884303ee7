import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { turnCredential, turnIceServers, verifyTurnCredential } from './turn-credentials.js';

describe('turn credentials', () => {
  it('follows the TURN REST scheme: expiry:id and base64 HMAC-SHA1', () => {
    const c = turnCredential('s3cret', '101', 60, 1_700_000_000_000);
    expect(c.username).toBe('1700000060:101');
    expect(c.expiresAt).toBe(1_700_000_060);
    expect(c.credential).toBe(createHmac('sha1', 's3cret').update('1700000060:101').digest('base64'));
    expect(verifyTurnCredential('s3cret', c.username, c.credential, 1_700_000_059_000)).toBe(true);
    expect(verifyTurnCredential('s3cret', c.username, c.credential, 1_700_000_060_000)).toBe(false);
    expect(verifyTurnCredential('other', c.username, c.credential, 1_700_000_000_000)).toBe(false);
  });

  it('refuses an empty secret or a non-positive TTL and sanitises ids', () => {
    expect(() => turnCredential('', 'x', 60)).toThrow(/secret/);
    expect(() => turnCredential('s', 'x', 0)).toThrow(/TTL/);
    expect(turnCredential('s', 'a:b c', 1, 0).username).toBe('1:a_b_c');
  });

  it('builds one ICE server entry sharing the credential across URLs, none without URLs', () => {
    const servers = turnIceServers(
      ['turn:t:3478?transport=udp', 'turn:t:3478?transport=tcp'],
      's',
      'p',
      10,
      0,
    );
    expect(servers).toHaveLength(1);
    expect(servers[0]?.urls).toHaveLength(2);
    expect(turnIceServers([], 's', 'p', 10, 0)).toEqual([]);
  });
});
