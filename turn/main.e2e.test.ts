// The real entrypoint as a child process: config errors and undiscoverable addresses stop it with the
// documented exit codes; a good config runs the real coturn, which accepts the credentials the sidecar
// issues and refuses wrong or expired ones with 401 — quickly and visibly, never a silent hang.
// Also: each coded start-up failure (METRICS_UNSUPPORTED, RUN_DIR_UNWRITABLE, EXPORTER_LISTEN_FAILED,
// COTURN_SPAWN_FAILED exit 127), TURN_AUTH_REJECTED with its reason and /metrics counting it, at most 50
// warnings for 90 ever-new usernames, the health probe, SIGTERM forwarding (and a SIGTERM during discovery,
// which ends it before coturn is spawned), the TLS listener with a mounted certificate, and 1:1 NAT
// (advertises the public address, relays from the private one).
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { TURN_RELAY } from '../common/metric-names.js';
import { turnCredential, turnIceServers } from '../common/turn-credentials.js';
import { freePort, isAlive, startNode } from '../test/support/processes.js';
import { requirements } from '../test/support/tools.js';
import { selfSignedCertificate, startTurnMain } from './test-helpers.js';
import { expectTurnError, turnNodePerSuite } from './testing/turn-node.js';
import { bindingRequest, decodeStun, mappedAddress, newTransactionId } from './stun-message.js';
import { TurnClient } from './turn-client.js';
import { WARN_BUDGET } from '../common/warning-limiter.js';
import { refusesToStart } from '../test/support/config-refusal.js';

const SECRET = 'e2e-secret-0123456789';
const NODE_IP = '192.0.2.1'; // the test namespace's non-loopback address (scripts/test.mjs)
const ok = requirements(['turnserver'], { netns: true });

describe.skipIf(!ok)('turn/main.ts', () => {
  it('exits 2 listing every configuration problem', async () => {
    await refusesToStart(
      'turn',
      {
        TURN_SECRET: '',
        TURN_MIN_PORT: '60000',
        TURN_MAX_PORT: '50000',
        TURN_ALLOWED_PEER_CIDRS: '127.0.0.0/8',
      },
      `
        TURN_SECRET=(unset): required (or TURN_SECRET_FILE), the secret shared with the signalling sidecars
        TURN_MIN_PORT="60000": must be ≤ TURN_MAX_PORT=50000
        TURN_ALLOWED_PEER_CIDRS="127.0.0.0/8": 127.0.0.0/8 overlaps 127.0.0.0/8, which must stay refused: loopback: the node's own services (kubelet, node exporters)
      `,
      startTurnMain,
    );
  });

  it('exits 3 naming every source it tried when no external IP can be found', async () => {
    const deadPort = await freePort();
    const proc = startTurnMain({ TURN_SECRET: SECRET, TURN_STUN_SERVER: `127.0.0.1:${deadPort}` });
    expect(await proc.exited).toBe(3);
    const fatal = proc.lines.find((l) => l.level === 'fatal');
    expect(fatal).toMatchObject({ code: 'EXTERNAL_IP_UNDISCOVERED' });
    expect(fatal?.attempts).toEqual([
      'TURN_EXTERNAL_IP: not set',
      'Kubernetes API: skipped (NODE_NAME not set (downward API spec.nodeName))',
      expect.stringMatching(new RegExp(`^STUN 127.0.0.1:${deadPort}: no STUN response`)),
    ]);
  });

  it('stops at once on a SIGTERM during discovery (exit 0) and never spawns coturn', async () => {
    // The namespace's gateway swallows every packet: STUN would retransmit for 3.5 s, then exit 3.
    const proc = startTurnMain({ TURN_SECRET: SECRET, TURN_STUN_SERVER: '203.0.113.7:3478' });
    await proc.waitFor((l) => l.msg === 'discovering the external address');
    const sent = performance.now();
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(performance.now() - sent).toBeLessThan(1_000);
    const said = proc.lines.map((l) => l.msg);
    expect(said).toContain('stopped during start');
    expect(said).not.toContain('external address');
    expect(said).not.toContain('coturn started');
    expect(proc.lines.some((l) => l.level === 'fatal' || l.level === 'error')).toBe(false);
  });

  it.each<{ when: string; env: Record<string, string>; exit: number; code: string; level: string }>([
    {
      when: 'TURN_METRICS=true on a coturn built without the exporter',
      env: { TURN_METRICS: 'true' },
      exit: 2,
      code: 'METRICS_UNSUPPORTED',
      level: 'fatal',
    },
    {
      when: 'a TURN_RUN_DIR that cannot be created',
      env: { TURN_RUN_DIR: '/proc/version/turn' },
      exit: 2,
      code: 'RUN_DIR_UNWRITABLE',
      level: 'fatal',
    },
    {
      when: 'a TURNSERVER_BIN that does not exist',
      env: { TURNSERVER_BIN: '/nonexistent/turnserver' },
      exit: 127,
      code: 'COTURN_SPAWN_FAILED',
      level: 'error',
    },
    {
      when: 'a TURNSERVER_BIN that does not exist, with TURN_METRICS=true',
      env: { TURNSERVER_BIN: '/nonexistent/turnserver', TURN_METRICS: 'true' },
      exit: 127,
      code: 'COTURN_SPAWN_FAILED',
      level: 'fatal',
    },
  ])('stops on $when: exit $exit with a $level $code line', async ({ env, exit, code, level }) => {
    const proc = startTurnMain({ TURN_SECRET: SECRET, TURN_EXTERNAL_IP: NODE_IP, ...env });
    expect(await proc.exited).toBe(exit);
    expect(proc.lines.find((l) => l.code === code)).toMatchObject({ level });
    expect(proc.lines.some((l) => l.level === 'fatal' && l.code !== code)).toBe(false);
  });

  it('stops with EXPORTER_LISTEN_FAILED (exit 2) when TURN_EXPORTER_PORT is taken, before coturn starts', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    try {
      const taken = (holder.address() as { port: number }).port;
      const { lines, exited } = startTurnMain({
        TURN_SECRET: SECRET,
        TURN_EXTERNAL_IP: NODE_IP,
        TURN_EXPORTER_HOST: '127.0.0.1',
        TURN_EXPORTER_PORT: String(taken),
      });
      expect(await exited).toBe(2);
      expect(lines.some((l) => l.msg === 'coturn started')).toBe(false);
      expect(lines.find((l) => l.code === 'EXPORTER_LISTEN_FAILED')).toMatchObject({
        level: 'fatal',
        err: expect.stringMatching(/EADDRINUSE/) as string,
      });
    } finally {
      holder.close();
    }
  });

  describe('running coturn', () => {
    const node = turnNodePerSuite(SECRET, NODE_IP, {
      relayPorts: [49500, 49540],
      metrics: true,
      env: { TURN_REALM: 'e2e.test' },
    });

    it('logs where it relays and keeps the rendered secret private', () => {
      expect(node.proc.lines.find((l) => l.msg === 'external address')).toMatchObject({
        publicIp: NODE_IP,
        privateIp: NODE_IP,
        source: 'env',
      });
      expect(statSync(path.join(node.proc.runDir, 'turnserver.conf')).mode & 0o777).toBe(0o600);
      expect(JSON.stringify(node.proc.lines)).not.toContain(SECRET);
    });

    it('allocates a relay with the credentials the sidecar issues', async () => {
      const [server] = turnIceServers([`turn:${NODE_IP}:${node.port}`], SECRET, 'player-101', 60);
      const client = await node.client(server!.username!, server!.credential!);
      const relayed = await client.allocate();
      expect(relayed.address).toBe(NODE_IP);
      expect(relayed.port).toBeGreaterThanOrEqual(49500);
      expect(relayed.port).toBeLessThanOrEqual(49540);
    });

    it.each([
      [
        'a credential made with another secret',
        () => turnCredential('not-the-secret-0123', 'player-102', 60),
        /does not match TURN_SECRET/,
      ],
      [
        'an expired credential',
        () => turnCredential(SECRET, 'player-103', 60, Date.now() - 120_000),
        /credential expired/,
      ],
    ])('refuses %s with 401 within seconds, and says why in its log', async (_name, make, reason) => {
      const cred = make();
      // Within seconds: a silent server would fail this with TurnTimeoutError, not a 401.
      const client = await node.client(cred.username, cred.credential, 3_000);
      await expectTurnError(client.allocate(), { code: 401, method: 'Allocate' });
      const warning = await node.proc.waitFor(
        (l) => l.code === 'TURN_AUTH_REJECTED' && l.user === cred.username,
        5_000,
      );
      expect(warning).toMatchObject({ level: 'warn', reason: expect.stringMatching(reason) as string });
      // The warning is the only trace above debug: coturn's own per-attempt error line is not repeated.
      expect(
        node.proc.lines.filter((l) => l.level === 'error' && String(l.coturn).includes(cred.username)),
      ).toEqual([]);
    });

    it('counts allocations and refused credentials by reason on /metrics', async () => {
      expect(await node.metric(TURN_RELAY.allocationsTotal)).toBeGreaterThanOrEqual(1);
      expect(await node.metric(`${TURN_RELAY.authRejectionsTotal}{reason="expired"}`)).toBeGreaterThanOrEqual(
        1,
      );
      expect(
        await node.metric(`${TURN_RELAY.authRejectionsTotal}{reason="mismatch"}`),
      ).toBeGreaterThanOrEqual(1);
      expect(await node.metric(TURN_RELAY.up)).toBe(1);
      expect((await fetch(`http://127.0.0.1:${node.metricsPort}/other`)).status).toBe(404);
    });

    it('keeps routine session lines out of the info log', () => {
      // The successful allocation above produced coturn session lines; at LOG_LEVEL=info none may appear.
      expect(
        node.proc.lines.some(
          (l) => typeof l.coturn === 'string' && l.coturn.includes('ALLOCATE processed, success'),
        ),
      ).toBe(false);
    });

    it('answers the health probe (a STUN Binding to the local listener)', async () => {
      const probe = startNode('turn/probe-main.ts', { TURN_LISTEN_PORT: String(node.port) });
      expect(await probe.exited).toBe(0);
      expect(probe.lines.map((l) => l.msg)).toEqual([expect.stringMatching(/^ok 127\.0\.0\.1:\d+$/)]);
      const dead = startNode('turn/probe-main.ts', { TURN_LISTEN_PORT: String(await freePort()) });
      expect(await dead.exited).toBe(1);
      expect(dead.lines.map((l) => l.msg).join('\n')).toMatch(/turn probe failed: no STUN response/);
    });

    it('bounds the warnings of a client that changes its username on every attempt; /metrics still counts them all', async () => {
      const metric = () => node.metric(`${TURN_RELAY.authRejectionsTotal}{reason="mismatch"}`);
      const before = await metric();
      const users = Array.from({ length: WARN_BUDGET + 40 }, (_, i) => `1900000000:flood-${i}`);
      for (let i = 0; i < users.length; i += 10) {
        await Promise.all(
          users.slice(i, i + 10).map(async (username) => {
            const client = await TurnClient.open({
              server: { host: NODE_IP, port: node.port },
              username,
              password: 'x',
            });
            await client.allocate().catch(() => undefined);
            await client.close();
          }),
        );
      }
      await vi.waitFor(async () => expect((await metric()) - before).toBeGreaterThanOrEqual(users.length), {
        timeout: 5000,
        interval: 100,
      });
      const flood = new Set(users);
      const logged = node.proc.lines.filter(
        (l) => l.code === 'TURN_AUTH_REJECTED' && flood.has(String(l.user)),
      );
      expect(logged.length).toBeGreaterThan(0);
      expect(logged.length).toBeLessThanOrEqual(WARN_BUDGET);
    });

    it('stops coturn on SIGTERM and exits 0 once it is gone', async () => {
      const coturnPid = Number(node.proc.lines.find((l) => l.msg === 'coturn started')?.pid);
      expect(coturnPid).toBeGreaterThan(0);
      const code = await node.proc.stop('SIGTERM', 10_000);
      expect(code).toBe(0);
      expect(node.proc.lines.some((l) => l.msg === 'forwarding signal to coturn')).toBe(true);
      expect(isAlive(coturnPid)).toBe(false);
    });
  });

  it('serves turns: on the TLS port with the mounted certificate', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'turn-tls-'));
    selfSignedCertificate('turn.test', `${dir}/tls.key`, `${dir}/tls.crt`, NODE_IP);
    chmodSync(`${dir}/tls.key`, 0o600);
    const [port, tlsPort] = [await freePort(), await freePort()];
    const turn = startTurnMain({
      TURN_SECRET: SECRET,
      TURN_EXTERNAL_IP: NODE_IP,
      TURN_PRIVATE_IP: NODE_IP,
      TURN_LISTEN_PORT: String(port),
      TURN_TLS_PORT: String(tlsPort),
      TURN_TLS_CERT_FILE: `${dir}/tls.crt`,
      TURN_TLS_KEY_FILE: `${dir}/tls.key`,
      TURN_MIN_PORT: '49570',
      TURN_MAX_PORT: '49580',
    });
    try {
      await turn.waitFor((l) => l.msg === 'ready', 15_000);
      // A STUN Binding over TLS, verified against the certificate: the listener is real TLS with our cert.
      const mapped = await new Promise<string>((resolve, reject) => {
        const socket = connect({ host: NODE_IP, port: tlsPort, ca: readFileSync(`${dir}/tls.crt`) }, () => {
          socket.write(bindingRequest(newTransactionId()));
        });
        socket.once('data', (buf: Buffer) => {
          const m = mappedAddress(decodeStun(buf.subarray(0, 20 + buf.readUInt16BE(2))));
          socket.end();
          resolve(m?.address ?? 'none');
        });
        socket.once('error', reject);
        setTimeout(() => reject(new Error('no TLS STUN answer within 10 s')), 10_000).unref();
      });
      expect(mapped).toBe(NODE_IP);
    } finally {
      await turn.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('behind 1:1 NAT advertises the public address and relays from the private one', async () => {
    const port = await freePort();
    const turn = startTurnMain({
      TURN_SECRET: SECRET,
      TURN_EXTERNAL_IP: '203.0.113.10',
      TURN_PRIVATE_IP: NODE_IP,
      TURN_LISTEN_PORT: String(port),
      TURN_MIN_PORT: '49590',
      TURN_MAX_PORT: '49599',
    });
    const peer = createSocket('udp4');
    try {
      await turn.waitFor((l) => l.msg === 'ready', 15_000);
      const cred = turnCredential(SECRET, 'player-nat', 60);
      const client = await TurnClient.open({
        server: { host: NODE_IP, port },
        username: cred.username,
        password: cred.credential,
      });
      try {
        const relayed = await client.allocate();
        expect(relayed.address).toBe('203.0.113.10'); // what the player puts in its relay candidate
        peer.bind(0, NODE_IP);
        await once(peer, 'listening');
        await client.createPermission(NODE_IP);
        const arrived = once(peer, 'message') as Promise<[Buffer, { address: string; port: number }]>;
        client.send({ address: NODE_IP, port: peer.address().port }, Buffer.from('nat'));
        const [, from] = await arrived;
        expect(from).toMatchObject({ address: NODE_IP, port: relayed.port }); // the socket is bound privately
      } finally {
        await client.close();
      }
    } finally {
      peer.close();
      await turn.stop();
    }
  });
});
