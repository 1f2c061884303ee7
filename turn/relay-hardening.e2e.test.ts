// Relay hardening with the production-rendered config: extra addresses in the test namespace stand in for
// a pod network (allowed), the Service network, another private network, the cloud metadata address and
// the node's loopback (all refused). Nothing is added to the config for testing: the TURN node address is
// a non-loopback address, so coturn's default refusal of loopback peers stays in force too.
// Data flows both ways to the pod CIDR and public peers; the others (and CGNAT, multicast, broadcast,
// 0.0.0.0/8) get 403, receive nothing, and are logged and counted as refusals.
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { TURN_RELAY } from '../common/metric-names.js';
import { requirements } from '../test/support/tools.js';
import { CLUSTER_NETWORKS, expectPeerRefused, turnNodePerSuite } from './testing/turn-node.js';

const SECRET = 'hardening-secret-0123456789';
const NODE_IP = '198.51.100.1'; // the TURN node (documentation range)
const POD_IP = '10.244.1.5'; // a streamer pod inside TURN_ALLOWED_PEER_CIDRS
const SERVICE_IP = '10.96.0.10'; // a ClusterIP inside TURN_SERVICE_CIDR
const OTHER_PRIVATE_IP = '172.16.0.5'; // a private network outside the pod CIDR
const METADATA_IP = '169.254.169.254';
const PUBLIC_IP = '203.0.113.5'; // a player's public address (documentation range)
const ok = requirements(['turnserver'], { netns: true });

describe.skipIf(!ok)('relay hardening (production config, real coturn)', () => {
  const node = turnNodePerSuite(SECRET, NODE_IP, {
    relayPorts: [49600, 49640],
    veth: ['pxturn0', POD_IP, SERVICE_IP, OTHER_PRIVATE_IP, METADATA_IP, PUBLIC_IP],
    metrics: true,
    env: CLUSTER_NETWORKS,
  });
  let users = 0;
  const allocated = async () => (await node.allocated(`streamer-${users++}`)).client;

  it('relays to a peer in the allowed pod CIDR, both ways', async () => {
    const client = await allocated();
    const peer = await node.listener(POD_IP);
    const peerPort = peer.address().port;

    await client.createPermission(POD_IP);
    const arrived = once(peer, 'message') as Promise<[Buffer, { address: string; port: number }]>;
    client.send({ address: POD_IP, port: peerPort }, Buffer.from('input-event'));
    const [data, from] = await arrived;
    expect(data.toString()).toBe('input-event');
    expect(from.address).toBe(NODE_IP); // it came out of the relay, not from the client

    const back = once(client, 'data') as Promise<[{ address: string; port: number }, Buffer]>;
    peer.send('video-frame', from.port, from.address);
    const [src, payload] = await back;
    expect(src).toMatchObject({ address: POD_IP, port: peerPort });
    expect(payload.toString()).toBe('video-frame');
  });

  it('relays to public addresses (players and their relays live there)', async () => {
    const client = await allocated();
    const peer = await node.listener(PUBLIC_IP);
    await client.createPermission(PUBLIC_IP);
    const arrived = once(peer, 'message') as Promise<[Buffer]>;
    client.send({ address: PUBLIC_IP, port: peer.address().port }, Buffer.from('public'));
    expect((await arrived)[0].toString()).toBe('public');
  });

  it.each([
    ['the Service network', SERVICE_IP],
    ['a private network outside the pod CIDR', OTHER_PRIVATE_IP],
    ['the cloud metadata service', METADATA_IP],
    ['loopback', '127.0.0.1'],
    ['another loopback address', '127.0.0.53'],
    ['"this network"', '0.0.0.1'],
    ['CGNAT space', '100.64.0.1'],
    ['multicast', '224.0.0.251'],
    ['broadcast', '255.255.255.255'],
  ])('refuses %s (%s) with 403', async (_name, ip) => {
    await expectPeerRefused(await allocated(), ip);
  });

  it('logs each refusal as a coded warning naming the peer and the rule', async () => {
    const line = await node.proc.waitFor(
      (l) => l.code === 'TURN_PEER_REFUSED' && l.peer === METADATA_IP,
      5_000,
    );
    expect(line).toMatchObject({ level: 'warn', range: '169.254.0.0-169.254.255.255' });
    expect(
      await node.proc.waitFor((l) => l.code === 'TURN_PEER_REFUSED' && l.peer === SERVICE_IP, 5_000),
    ).toMatchObject({ range: '10.96.0.0-10.111.255.255' });
  });

  it('counts refusals on /metrics', async () => {
    // Service network, other private network, metadata and CGNAT hit the deny list (loopback, multicast and
    // broadcast are refused by coturn's own checks before it, so they are not counted here).
    expect(await node.metric(TURN_RELAY.peerRefusalsTotal)).toBeGreaterThanOrEqual(4);
  });

  it('delivers nothing to a refused address that is listening', async () => {
    const client = await allocated();
    const victim = await node.listener(SERVICE_IP);
    let received = 0;
    victim.on('message', () => received++);
    await client.createPermission(SERVICE_IP).catch(() => undefined);
    for (let i = 0; i < 5; i++)
      client.send({ address: SERVICE_IP, port: victim.address().port }, Buffer.from('probe'));
    // Control: the same client still reaches the allowed pod, so the probes above had a working relay.
    const pod = await node.listener(POD_IP);
    await client.createPermission(POD_IP);
    const arrived = once(pod, 'message');
    client.send({ address: POD_IP, port: pod.address().port }, Buffer.from('control'));
    await arrived;
    expect(received).toBe(0);
  });
});
