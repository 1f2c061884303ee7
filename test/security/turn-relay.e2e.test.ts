// Abuse suite, TURN: real coturn behind the real entrypoint. Credentials it did not issue are refused, and
// no relay reaches loopback, the cloud metadata address or the node's private networks — the peers the
// config injection once opened.
import { describe, it } from 'vitest';
import { turnCredential } from '../../common/turn-credentials.js';
import { requirements } from '../../test/support/tools.js';
import {
  CLUSTER_NETWORKS,
  expectTurnError,
  expectPeerRefused,
  turnNodePerSuite,
} from '../../turn/testing/turn-node.js';

const SECRET = 'abuse-turn-secret-0123456789';
const NODE_IP = '198.51.100.2';
const ok = requirements(['turnserver'], { netns: true });

describe.skipIf(!ok)('coturn as an attacker meets it', () => {
  const node = turnNodePerSuite(SECRET, NODE_IP, {
    relayPorts: [49700, 49720],
    veth: ['pxabuse0', '169.254.169.254'],
    env: CLUSTER_NETWORKS,
  });

  it.each([
    ['a wrong password', () => ({ ...turnCredential(SECRET, 'p', 300), credential: 'guess' })],
    ['an expired credential', () => turnCredential(SECRET, 'p', 60, Date.now() - 3_600_000)],
    ['another secret', () => turnCredential('not-the-secret-0123456789', 'p', 300)],
  ])('refuses %s with 401', async (_name, make) => {
    const c = make();
    const client = await node.client(c.username, c.credential);
    await expectTurnError(client.allocate(), { code: 401 });
  });

  it.each(['127.0.0.1', '169.254.169.254', '10.96.0.1', '192.168.1.1', '100.64.0.1'])(
    'refuses a relay to %s with 403',
    async (peer) => {
      await expectPeerRefused((await node.allocated('attacker')).client, peer);
    },
  );
});
