// Table tests of CIDR parsing, membership and overlap within one address family, and the coturn range text.
import { describe, expect, it } from 'vitest';
import { contains, overlaps, parseCidr, cidr, toCoturnRange } from './cidr.js';

describe('parseCidr / toCoturnRange', () => {
  it.each([
    ['10.244.0.0/16', '10.244.0.0-10.244.255.255'],
    ['10.244.3.7/16', '10.244.0.0-10.244.255.255'],
    ['169.254.169.254', '169.254.169.254'],
    ['0.0.0.0/8', '0.0.0.0-0.255.255.255'],
    ['::1/128', '::1'],
    ['fe80::/10', 'fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['::ffff:0:0/96', '::ffff:0:0-::ffff:ffff:ffff'],
    ['fd00:10:244::/56', 'fd00:10:244::-fd00:10:244:ff:ffff:ffff:ffff:ffff'],
  ])('%s → %s', (input, range) => {
    expect(toCoturnRange(cidr(input))).toBe(range);
  });

  it.each(['10.0.0.0/33', '10.0.0/8', 'fe80::/129', 'example.com', '1.2.3.4/', '1.2.3.4/-1', 'fe80::1%eth0'])(
    'rejects %s',
    (input) => {
      expect(typeof parseCidr(input)).toBe('string');
    },
  );

  it('normalises the text to the network address', () => {
    expect(cidr('10.244.3.7/16').text).toBe('10.244.0.0/16');
  });

  it('finds overlaps and membership within one family only', () => {
    expect(overlaps(cidr('10.0.0.0/8'), cidr('10.96.0.0/12'))).toBe(true);
    expect(overlaps(cidr('10.244.0.0/16'), cidr('10.96.0.0/12'))).toBe(false);
    expect(overlaps(cidr('::/0'), cidr('0.0.0.0/0'))).toBe(false);
    expect(contains(cidr('169.254.0.0/16'), '169.254.169.254')).toBe(true);
    expect(contains(cidr('::ffff:0:0/96'), '::ffff:10.0.0.1')).toBe(true);
    expect(contains(cidr('10.0.0.0/8'), '::1')).toBe(false);
  });
});
