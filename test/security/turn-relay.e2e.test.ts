// Abuse suite, TURN: real coturn behind the real entrypoint. Credentials it did not issue are refused, and
// no relay reaches loopback, the cloud metadata address or the node's private networks — the peers the
// config injection once opened.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { turnCredential } from '../../common/turn-credentials.js';
import { freePort } from '../../test/support/processes.js';
import { requirements } from '../../test/support/tools.js';
import { addLocalAddresses, startTurnMain } from '../../turn/test-helpers.js';
import { TurnClient, TurnError } from '../../turn/turn-client.js';

const SECRET = 'abuse-turn-secret-0123456789';
const NODE_IP = '198.51.100.2';
const ok = requirements(['turnserver'], { netns: true });

describe.skipIf(!ok)('coturn as an attacker meets it', () => {
  let removeAddresses: () => void = () => undefined;
  let turn: ReturnType<typeof startTurnMain>;
  let port: number;
  const clients: TurnClient[] = [];

  beforeAll(async () => {
    removeAddresses = addLocalAddresses('pxabuse0', [NODE_IP, '169.254.169.254']);
    port = await freePort();
    turn = startTurnMain({
      TURN_SECRET: SECRET,
      TURN_EXTERNAL_IP: NODE_IP,
      TURN_PRIVATE_IP: NODE_IP,
      TURN_LISTEN_PORT: String(port),
      TURN_MIN_PORT: '49700',
      TURN_MAX_PORT: '49720',
      TURN_ALLOWED_PEER_CIDRS: '10.244.0.0/16',
      TURN_SERVICE_CIDR: '10.96.0.0/12',
    });
    await turn.waitFor((l) => l.msg === 'ready', 15_000);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await turn?.stop();
    removeAddresses();
  });

  const open = async (username: string, password: string) => {
    const client = await TurnClient.open({ server: { host: NODE_IP, port }, username, password });
    clients.push(client);
    return client;
  };

  it.each([
    ['a wrong password', () => ({ ...turnCredential(SECRET, 'p', 300), credential: 'guess' })],
    ['an expired credential', () => turnCredential(SECRET, 'p', 60, Date.now() - 3_600_000)],
    ['another secret', () => turnCredential('not-the-secret-0123456789', 'p', 300)],
  ])('refuses %s with 401', async (_name, make) => {
    const c = make();
    const client = await open(c.username, c.credential);
    const err = await client.allocate().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TurnError);
    expect(err).toMatchObject({ code: 401 });
  });

  it.each(['127.0.0.1', '169.254.169.254', '10.96.0.1', '192.168.1.1', '100.64.0.1'])(
    'refuses a relay to %s with 403',
    async (peer) => {
      const cred = turnCredential(SECRET, 'attacker', 300);
      const client = await open(cred.username, cred.credential);
      await client.allocate();
      const err = await client.createPermission(peer).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TurnError);
      expect(err).toMatchObject({ code: 403, method: 'CreatePermission' });
    },
  );
});
