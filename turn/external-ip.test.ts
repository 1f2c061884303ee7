// External-IP discovery against real counterparts: an HTTPS server standing in for the Kubernetes API
// (the one accepted fake; it asserts the exact request) and a real coturn answering STUN on loopback.
// Covered: the env override; the node lookup's path, verb, bearer token and Accept over TLS checked against
// the CA (a wrong CA refused); the STUN fallback; everything failing → the list of attempts; a STUN
// server name whose DNS server never answers giving up within the STUN budget (a real silent DNS server);
// and an aborted signal (the process told to stop) ending an unanswered API request or DNS lookup at once.
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../test/support/processes.js';
import { requirements } from '../test/support/tools.js';
import { loadTurnConfig } from './config.js';
import { discoverAddresses, ExternalIpError } from './external-ip.js';
import { stunBinding } from './stun-client.js';
import { selfSignedCertificate, startBareCoturn } from './test-helpers.js';

const SECRET = 's3cret-s3cret-s3cret';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.test-service-account-token';
const ok = requirements(['turnserver', 'openssl']);

describe('TURN_EXTERNAL_IP override', () => {
  it('wins without asking anyone, paired with TURN_PRIVATE_IP', async () => {
    const config = loadTurnConfig({
      TURN_SECRET: SECRET,
      TURN_EXTERNAL_IP: '203.0.113.10',
      TURN_PRIVATE_IP: '10.0.10.5',
      TURN_STUN_SERVER: '127.0.0.1:1',
    });
    await expect(discoverAddresses(config)).resolves.toEqual({
      publicIp: '203.0.113.10',
      privateIp: '10.0.10.5',
      source: 'env',
    });
  });

  it('goes without a private address when none is given', async () => {
    const config = loadTurnConfig({ TURN_SECRET: SECRET, TURN_EXTERNAL_IP: '203.0.113.10' });
    await expect(discoverAddresses(config)).resolves.toEqual({
      publicIp: '203.0.113.10',
      privateIp: undefined,
      source: 'env',
    });
  });
});

describe('STUN server by name', () => {
  it('gives up on a DNS server that never answers within the STUN budget, saying so', async () => {
    // A real DNS server on loopback that reads every query and answers none (a black-holed resolver).
    const dns = createSocket('udp4');
    const queries: Buffer[] = [];
    dns.on('message', (msg) => queries.push(msg));
    await new Promise<void>((resolve) => dns.bind(0, '127.0.0.1', resolve));
    // The resolver itself would wait a minute: only the STUN client's own budget can end this in time.
    const resolver = new Resolver({ timeout: 60_000, tries: 1 });
    resolver.setServers([`127.0.0.1:${dns.address().port}`]);
    const lookup = async (host: string) => ({ address: (await resolver.resolve4(host))[0] ?? '', family: 4 });
    const started = Date.now();
    try {
      const err = await stunBinding(
        { host: 'stun.example.test', port: 3478 },
        { initialTimeoutMs: 100, attempts: 3, lookup },
      ).catch((e: unknown) => e);
      expect((err as Error).message).toBe('DNS lookup of stun.example.test did not finish within 700 ms');
      expect(Date.now() - started).toBeGreaterThanOrEqual(650);
      expect(queries.length).toBeGreaterThan(0);
    } finally {
      resolver.cancel();
      dns.close();
    }
  });

  it('gives up at once, with an AbortError, when its signal is aborted during the lookup', async () => {
    const dns = createSocket('udp4');
    await new Promise<void>((resolve) => dns.bind(0, '127.0.0.1', resolve));
    const resolver = new Resolver({ timeout: 60_000, tries: 1 });
    resolver.setServers([`127.0.0.1:${dns.address().port}`]);
    const lookup = async (host: string) => ({ address: (await resolver.resolve4(host))[0] ?? '', family: 4 });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const started = Date.now();
    try {
      // The default budget is 3.5 s: only the abort can end it sooner.
      const err = await stunBinding(
        { host: 'stun.example.test', port: 3478 },
        { lookup, signal: abort.signal },
      ).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'AbortError' });
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      resolver.cancel();
      dns.close();
    }
  });
});

describe.skipIf(!ok)('Kubernetes API and STUN', () => {
  let dir: string;
  let api: Server;
  let apiPort: number;
  let coturn: Awaited<ReturnType<typeof startBareCoturn>>;
  let stunPort: number;
  const requests: { method?: string; url?: string; headers: IncomingHttpHeaders }[] = [];
  /** What the fake API answers for each node name: [status, body]. */
  const nodes: Record<string, [number, unknown]> = {
    'gpu-node-1': [
      200,
      {
        kind: 'Node',
        metadata: { name: 'gpu-node-1' },
        status: {
          addresses: [
            { type: 'InternalIP', address: '10.0.10.5' },
            { type: 'ExternalIP', address: '2001:db8::5' },
            { type: 'ExternalIP', address: '203.0.113.10' },
            { type: 'Hostname', address: 'gpu-node-1' },
          ],
        },
      },
    ],
    'private-node': [
      200,
      { kind: 'Node', status: { addresses: [{ type: 'InternalIP', address: '10.0.10.6' }] } },
    ],
    'odd-node': [
      200,
      {
        kind: 'Node',
        status: {
          addresses: [
            null,
            { type: 'ExternalIP', address: 7 },
            { type: 'ExternalIP', address: '0.0.0.0' },
            { type: 'ExternalIP', address: '169.254.10.1' },
            { type: 'InternalIP', address: '10.0.10.7' },
          ],
        },
      },
    ],
    'null-node': [200, null],
    // 'silent-node' is never answered: the request stays open until the client gives up.
    forbidden: [
      403,
      {
        kind: 'Status',
        message:
          'nodes "forbidden" is forbidden: User "system:serviceaccount:turn:coturn" cannot get resource "nodes"',
      },
    ],
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'turn-kube-'));
    selfSignedCertificate('kubernetes', `${dir}/key.pem`, `${dir}/ca.crt`, '127.0.0.1');
    writeFileSync(`${dir}/token`, `${TOKEN}\n`);
    api = createServer(
      { key: readFileSync(`${dir}/key.pem`), cert: readFileSync(`${dir}/ca.crt`) },
      (req, res) => {
        requests.push({ method: req.method, url: req.url, headers: req.headers });
        const name = /^\/api\/v1\/nodes\/([^/?]+)$/.exec(req.url ?? '')?.[1];
        if (name === 'silent-node') return;
        const [status, body] = (req.method === 'GET' && name && nodes[name]) || [
          404,
          { kind: 'Status', message: 'not found' },
        ];
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      },
    );
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    apiPort = (api.address() as { port: number }).port;
    stunPort = await freePort();
    coturn = await startBareCoturn(stunPort, SECRET, [49410, 49420]);
  });

  afterAll(async () => {
    await coturn?.stop();
    api?.closeAllConnections();
    await new Promise((resolve) => api?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string>) =>
    loadTurnConfig({
      TURN_SECRET: SECRET,
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: String(apiPort),
      TURN_KUBE_TOKEN_FILE: `${dir}/token`,
      TURN_KUBE_CA_FILE: `${dir}/ca.crt`,
      ...extra,
    });

  it('reads the node ExternalIP (IPv4 first) and pairs it with the InternalIP, with the exact request', async () => {
    requests.length = 0;
    await expect(discoverAddresses(env({ NODE_NAME: 'gpu-node-1' }))).resolves.toEqual({
      publicIp: '203.0.113.10',
      privateIp: '10.0.10.5',
      source: 'kubernetes',
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'GET', url: '/api/v1/nodes/gpu-node-1' });
    expect(requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(requests[0]?.headers.accept).toBe('application/json');
  });

  it('prefers TURN_PRIVATE_IP over the node InternalIP', async () => {
    await expect(
      discoverAddresses(env({ NODE_NAME: 'gpu-node-1', TURN_PRIVATE_IP: '10.0.10.99' })),
    ).resolves.toMatchObject({ privateIp: '10.0.10.99' });
  });

  it('refuses an API server whose certificate the cluster CA did not sign, and falls back to STUN', async () => {
    const otherCa = `${dir}/other-ca.crt`;
    selfSignedCertificate('other', `${dir}/other.key`, otherCa);
    const result = await discoverAddresses(
      env({ NODE_NAME: 'gpu-node-1', TURN_KUBE_CA_FILE: otherCa, TURN_STUN_SERVER: `127.0.0.1:${stunPort}` }),
    );
    expect(result).toEqual({ publicIp: '127.0.0.1', privateIp: '127.0.0.1', source: 'stun' });
  });

  it('falls back to STUN when the node has no ExternalIP (real coturn answers the Binding request)', async () => {
    const result = await discoverAddresses(
      env({ NODE_NAME: 'private-node', TURN_STUN_SERVER: `127.0.0.1:${stunPort}` }),
    );
    expect(result).toEqual({ publicIp: '127.0.0.1', privateIp: '127.0.0.1', source: 'stun' });
  });

  it('reports the mapped port that coturn observed for our socket', async () => {
    const { mapped, localAddress } = await stunBinding({ host: '127.0.0.1', port: stunPort });
    expect(mapped).toMatchObject({ address: '127.0.0.1', family: 4 });
    expect(mapped.port).toBeGreaterThan(0);
    expect(localAddress).toBe('127.0.0.1');
  });

  it('abandons an unanswered API request at once when its signal is aborted', async () => {
    requests.length = 0;
    const abort = new AbortController();
    const started = Date.now();
    const discovery = discoverAddresses(
      env({ NODE_NAME: 'silent-node', TURN_STUN_SERVER: `127.0.0.1:${stunPort}` }),
      abort.signal,
    ).catch((e: unknown) => e);
    await vi.waitFor(() => expect(requests.map((r) => r.url)).toEqual(['/api/v1/nodes/silent-node']));
    abort.abort();
    // The API request alone would wait 5 s, then the STUN fallback would answer: neither happens.
    expect(await discovery).toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('lists what every source answered when all fail', async () => {
    const deadPort = await freePort();
    const err = await discoverAddresses(
      env({ NODE_NAME: 'forbidden', TURN_STUN_SERVER: `127.0.0.1:${deadPort}` }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExternalIpError);
    const { attempts, code } = err as ExternalIpError;
    expect(code).toBe('EXTERNAL_IP_UNDISCOVERED');
    expect(attempts).toEqual([
      'TURN_EXTERNAL_IP: not set',
      expect.stringMatching(
        /^Kubernetes API: GET \/api\/v1\/nodes\/forbidden → HTTP 403: .*cannot get resource "nodes" \(the ClusterRole must grant get on nodes\)$/,
      ),
      expect.stringMatching(new RegExp(`^STUN 127.0.0.1:${deadPort}: no STUN response .* after 3 requests`)),
    ]);
  });

  it.each([
    [
      'odd-node',
      'Kubernetes API: node odd-node has no usable ExternalIP (0.0.0.0 (the unspecified/"this network" range), 169.254.10.1 (link-local))',
    ],
    ['null-node', 'Kubernetes API: node null-node has no ExternalIP (InternalIP: none)'],
  ])(
    'never advertises an address no player can reach, and reads a malformed node %s as no address',
    async (name, attempt) => {
      const err = (await discoverAddresses(env({ NODE_NAME: name })).catch(
        (e: unknown) => e,
      )) as ExternalIpError;
      expect(err).toBeInstanceOf(ExternalIpError);
      expect(err.attempts[1]).toBe(attempt);
    },
  );

  it('says why Kubernetes was skipped outside a cluster', async () => {
    const err = (await discoverAddresses(loadTurnConfig({ TURN_SECRET: SECRET })).catch(
      (e: unknown) => e,
    )) as ExternalIpError;
    expect(err.attempts).toEqual([
      'TURN_EXTERNAL_IP: not set',
      'Kubernetes API: skipped (NODE_NAME not set (downward API spec.nodeName))',
      'STUN: skipped (TURN_STUN_SERVER not set)',
    ]);
  });
});
