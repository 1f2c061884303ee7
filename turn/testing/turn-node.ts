// For the end-to-end TURN suites: the real entrypoint on one node address (both sides of 1:1 NAT are the
// same), started before a describe block's first test and stopped after its last, with the TURN clients and
// UDP peers its tests open closed alongside, and the refusals they expect checked one way.
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { isIPv6 } from 'node:net';
import { afterAll, beforeAll, expect } from 'vitest';
import { turnCredential } from '../../common/turn-credentials.js';
import { freePort } from '../../test/support/processes.js';
import { addLocalAddresses, startTurnMain } from '../test-helpers.js';
import type { TransportAddress } from '../stun-message.js';
import { TurnClient, TurnError } from '../turn-client.js';

/** The pod and Service networks of the kit's default cluster, as the relay's allow and deny lists. */
export const CLUSTER_NETWORKS = {
  TURN_ALLOWED_PEER_CIDRS: '10.244.0.0/16',
  TURN_SERVICE_CIDR: '10.96.0.0/12',
} as const;

export interface TurnNodeOptions {
  /** TURN_MIN_PORT and TURN_MAX_PORT: each suite its own range, so a leftover relay never collides. */
  relayPorts: [number, number];
  /**
   * `[device, ...peers]`: a veth named `device` carrying the node address and these peer addresses, for a
   * node address the test namespace does not have.
   */
  veth?: [string, ...string[]];
  /** Serve /metrics on 127.0.0.1 at a free port. */
  metrics?: boolean;
  env?: Record<string, string>;
}

export interface TurnNode {
  readonly proc: ReturnType<typeof startTurnMain>;
  /** The listening port on the node address. */
  readonly port: number;
  /** The /metrics port on 127.0.0.1 (with `metrics: true`). */
  readonly metricsPort: number;
  /** A client of this node with a raw username and password. */
  client(username: string, password: string, timeoutMs?: number): Promise<TurnClient>;
  /** A client with a credential minted from the node's secret for `user`, and the relay it allocated. */
  allocated(user: string, family?: 4 | 6): Promise<{ client: TurnClient; relayed: TransportAddress }>;
  /** A UDP socket bound on `ip`, listening. */
  listener(ip: string): Promise<Socket>;
  /** One sample from /metrics (with `metrics: true`). */
  metric(series: string): Promise<number>;
}

/** Registers the hooks that run the node on `nodeIp` with `secret` for the enclosing describe block. */
export function turnNodePerSuite(secret: string, nodeIp: string, options: TurnNodeOptions): TurnNode {
  let proc: ReturnType<typeof startTurnMain> | undefined;
  let port = 0;
  let metricsPort = 0;
  let removeAddresses = (): void => undefined;
  const clients: TurnClient[] = [];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    if (options.veth) {
      const [device, ...peers] = options.veth;
      removeAddresses = addLocalAddresses(device, [nodeIp, ...peers]);
    }
    port = await freePort();
    if (options.metrics) metricsPort = await freePort();
    proc = startTurnMain({
      TURN_SECRET: secret,
      TURN_EXTERNAL_IP: nodeIp,
      TURN_PRIVATE_IP: nodeIp,
      TURN_LISTEN_PORT: String(port),
      TURN_MIN_PORT: String(options.relayPorts[0]),
      TURN_MAX_PORT: String(options.relayPorts[1]),
      ...(options.metrics
        ? { TURN_EXPORTER_PORT: String(metricsPort), TURN_EXPORTER_HOST: '127.0.0.1' }
        : {}),
      ...options.env,
    });
    await proc.waitFor((l) => l.msg === 'ready', 15_000);
  });

  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    for (const s of sockets.splice(0)) s.close();
    await proc?.stop();
    removeAddresses();
  });

  const node: TurnNode = {
    get proc() {
      if (!proc) throw new Error('the TURN node is not started (used outside a test?)');
      return proc;
    },
    get port() {
      return port;
    },
    get metricsPort() {
      return metricsPort;
    },
    async client(username, password, timeoutMs) {
      const client = await TurnClient.open({
        server: { host: nodeIp, port },
        username,
        password,
        timeoutMs,
      });
      clients.push(client);
      return client;
    },
    async allocated(user, family = 4) {
      const cred = turnCredential(secret, user, 300);
      const client = await node.client(cred.username, cred.credential);
      return { client, relayed: await client.allocate(600, family) };
    },
    async listener(ip) {
      const s = createSocket(isIPv6(ip) ? 'udp6' : 'udp4');
      sockets.push(s);
      s.bind(0, ip);
      await once(s, 'listening');
      return s;
    },
    async metric(series) {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return Number(line?.split(' ')[1]);
    },
  };
  return node;
}

/** Expects `request` to fail with a TURN error response carrying `fields` (code, method). */
export async function expectTurnError(
  request: Promise<unknown>,
  fields: { code: number; method?: string },
): Promise<void> {
  const err = await request.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TurnError);
  expect(err).toMatchObject(fields);
}

/** Expects the relay to refuse `peer` (403 to CreatePermission): the deny list or coturn's own checks. */
export function expectPeerRefused(client: TurnClient, peer: string): Promise<void> {
  return expectTurnError(client.createPermission(peer), { code: 403, method: 'CreatePermission' });
}
