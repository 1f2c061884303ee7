// The IPv6 half of the relay hardening, on an IPv6 node address: coturn parses IPv6 ranges with its own
// quirks (an IPv6 "::" entry turned out to refuse every IPv4 peer), so the IPv6 deny list is checked against
// the real server too — pod ULA range allowed, every other special range refused, public peers relayed.
// Refused with 403: other ULA, ::1, fe80::, IPv4-mapped (::ffff:10.0.0.1, ::ffff:127.0.0.1), NAT64,
// fd00:ec2::254, multicast and site-local.
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { requirements } from '../test/support/tools.js';
import { expectPeerRefused, turnNodePerSuite } from './testing/turn-node.js';

const SECRET = 'hardening-v6-secret-0123456789';
const NODE_IP = '2001:db8::1'; // the TURN node (documentation prefix)
const POD_IP = 'fd00:10:244::5'; // inside TURN_ALLOWED_PEER_CIDRS
const OTHER_ULA_IP = 'fd00:96::10'; // a ULA outside the pod range (e.g. the Service network)
const PUBLIC_IP = '2001:db8::99';
const ok = requirements(['turnserver'], { netns: true });

describe.skipIf(!ok)('IPv6 relay hardening (production config, real coturn)', () => {
  const node = turnNodePerSuite(SECRET, NODE_IP, {
    relayPorts: [49650, 49690],
    veth: ['pxturn6', POD_IP, OTHER_ULA_IP, PUBLIC_IP],
    env: { TURN_ALLOWED_PEER_CIDRS: 'fd00:10:244::/56' },
  });
  let users = 0;

  async function allocated() {
    const { client, relayed } = await node.allocated(`v6-${users++}`, 6);
    expect(relayed).toMatchObject({ address: NODE_IP, family: 6 });
    return client;
  }

  it.each([
    ['the pod range', POD_IP],
    ['a public address', PUBLIC_IP],
  ])('relays to %s', async (_name, ip) => {
    const client = await allocated();
    const peer = await node.listener(ip);
    await client.createPermission(ip);
    const arrived = once(peer, 'message') as Promise<[Buffer, { address: string }]>;
    client.send({ address: ip, port: peer.address().port }, Buffer.from('v6'));
    const [data, from] = await arrived;
    expect(data.toString()).toBe('v6');
    expect(from.address).toBe(NODE_IP);
  });

  it.each([
    ['a ULA outside the pod range', OTHER_ULA_IP],
    ['loopback', '::1'],
    ['link-local', 'fe80::1'],
    ['IPv4-mapped (would reach 10.0.0.1)', '::ffff:10.0.0.1'],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
    ['NAT64 (would reach 10.0.0.1)', '64:ff9b::a00:1'],
    ['the IPv6 metadata address', 'fd00:ec2::254'],
    ['multicast', 'ff02::1'],
    ['site-local', 'fec0::1'],
  ])('refuses %s (%s) with 403', async (_name, ip) => {
    await expectPeerRefused(await allocated(), ip);
  });
});
