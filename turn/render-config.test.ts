// Table tests of turnserver.conf as rendered from the config: every hardening line.
import { describe, expect, it } from 'vitest';
import { loadTurnConfig } from './config.js';
import { renderTurnserverConf } from './render-config.js';

const SECRET = 's3cret-s3cret-s3cret';
const paths = { runDir: '/run/turn' };

function render(
  env: Record<string, string>,
  addresses: { publicIp: string; privateIp?: string } = { publicIp: '203.0.113.10' },
): string[] {
  return renderTurnserverConf(
    loadTurnConfig(
      { TURN_SECRET: SECRET, ...env },
      { readable: () => true, kind: (p) => (p.startsWith('/tmp/') ? 'directory' : 'file') },
    ),
    addresses,
    paths,
  )
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
}

describe('renderTurnserverConf', () => {
  const base = render({ TURN_ALLOWED_PEER_CIDRS: '10.244.0.0/16', TURN_SERVICE_CIDR: '10.96.0.0/12' });

  it.each([
    'use-auth-secret',
    `static-auth-secret=${SECRET}`,
    'realm=pixelstream',
    'fingerprint',
    'no-cli',
    'no-multicast-peers',
    'no-tcp-relay',
    'stale-nonce=600',
    'no-software-attribute',
    'no-rfc5780',
    'no-stun-backward-compatibility',
    'listening-port=3478',
    'min-port=49152',
    'max-port=65535',
    'no-tls',
    'no-dtls',
    'log-file=stdout',
    'pidfile=/run/turn/turnserver.pid',
    'userdb=/run/turn/turndb',
  ])('has %s', (line) => {
    expect(base).toContain(line);
  });

  it.each([
    ['loopback', '127.0.0.0-127.255.255.255'],
    ['this network', '0.0.0.0-0.255.255.255'],
    ['link-local incl. metadata', '169.254.0.0-169.254.255.255'],
    ['CGNAT', '100.64.0.0-100.127.255.255'],
    ['RFC 1918 10/8', '10.0.0.0-10.255.255.255'],
    ['RFC 1918 172.16/12', '172.16.0.0-172.31.255.255'],
    ['RFC 1918 192.168/16', '192.168.0.0-192.168.255.255'],
    ['multicast', '224.0.0.0-239.255.255.255'],
    ['reserved + broadcast', '240.0.0.0-255.255.255.255'],
    ['service CIDR', '10.96.0.0-10.111.255.255'],
    ['IPv6 loopback', '::1'],
    ['IPv4-mapped IPv6', '::ffff:0:0-::ffff:ffff:ffff'],
    ['NAT64', '64:ff9b::-64:ff9b::ffff:ffff'],
    ['IPv6 link-local', 'fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['IPv6 ULA', 'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['IPv6 multicast', 'ff00::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ])('denies %s', (_name, range) => {
    expect(base).toContain(`denied-peer-ip=${range}`);
  });

  it('allows exactly the pod CIDRs', () => {
    expect(base.filter((l) => l.startsWith('allowed-peer-ip='))).toEqual([
      'allowed-peer-ip=10.244.0.0-10.244.255.255',
    ]);
    expect(render({}).filter((l) => l.startsWith('allowed-peer-ip='))).toEqual([]);
  });

  it('never writes denied-peer-ip=:: (coturn 4.6.1 would refuse every IPv4 peer with it)', () => {
    expect(base).not.toContain('denied-peer-ip=::');
  });

  it('never allows loopback peers or the admin CLI', () => {
    expect(base.some((l) => l.startsWith('allow-loopback-peers'))).toBe(false);
    expect(base.some((l) => l.startsWith('cli-'))).toBe(false);
  });

  it('adds operator-denied ranges', () => {
    expect(render({ TURN_DENIED_PEER_CIDRS: '203.0.113.0/24' })).toContain(
      'denied-peer-ip=203.0.113.0-203.0.113.255',
    );
  });

  it.each([
    ['public only', { publicIp: '203.0.113.10' }, ['external-ip=203.0.113.10'], []],
    [
      '1:1 NAT',
      { publicIp: '203.0.113.10', privateIp: '10.0.10.5' },
      ['external-ip=203.0.113.10/10.0.10.5', 'relay-ip=10.0.10.5'],
      [],
    ],
    [
      'no NAT, address known',
      { publicIp: '198.51.100.4', privateIp: '198.51.100.4' },
      ['external-ip=198.51.100.4', 'relay-ip=198.51.100.4'],
      ['external-ip=198.51.100.4/198.51.100.4'],
    ],
  ])('addresses: %s', (_name, addresses, present, absent) => {
    const lines = render({}, addresses);
    for (const l of present) expect(lines).toContain(l);
    for (const l of absent) expect(lines).not.toContain(l);
    expect(lines.filter((l) => l.startsWith('external-ip='))).toHaveLength(1);
  });

  it('turns on a TLS listener with the mounted certificate', () => {
    const lines = render({
      TURN_TLS_CERT_FILE: '/tls/tls.crt',
      TURN_TLS_KEY_FILE: '/tls/tls.key',
      TURN_TLS_PORT: '443',
    });
    expect(lines).toEqual(
      expect.arrayContaining(['tls-listening-port=443', 'cert=/tls/tls.crt', 'pkey=/tls/tls.key', 'no-dtls']),
    );
    expect(lines).not.toContain('no-tls');
  });

  it.each<[Record<string, string>, string[]]>([
    [{ TURN_LISTEN_PORT: '3479' }, ['listening-port=3479']],
    [{ TURN_MIN_PORT: '40000', TURN_MAX_PORT: '40100' }, ['min-port=40000', 'max-port=40100']],
    [{ TURN_REALM: 'turn.example.com' }, ['realm=turn.example.com']],
    [{ TURN_USER_QUOTA: '12', TURN_TOTAL_QUOTA: '500' }, ['user-quota=12', 'total-quota=500']],
    [{ TURN_METRICS: 'true' }, ['prometheus', 'prometheus-port=9641']],
    // Always verbose: refusals are only logged that way (the entrypoint levels them); trace adds more.
    [{ LOG_LEVEL: 'debug' }, ['verbose']],
    [{ LOG_LEVEL: 'trace' }, ['Verbose']],
  ])('maps %j to its directives', (env, expected) => {
    expect(render(env)).toEqual(expect.arrayContaining(expected));
  });

  it('leaves out what is off by default: metrics, quotas, an exporter address', () => {
    expect(render({ TURN_METRICS: 'true' }).some((l) => l.startsWith('prometheus-address'))).toBe(false);
    expect(base).not.toContain('prometheus');
    expect(base.some((l) => l.startsWith('user-quota'))).toBe(false);
    expect(base).toContain('verbose');
  });

  it.each([
    ['10.0.0.7', ['prometheus', 'prometheus-port=9641', 'prometheus-address=10.0.0.7']],
    ['fd00:42::7', ['prometheus', 'prometheus-port=9641', 'prometheus-address=fd00:42::7']],
    ['0.0.0.0', ['prometheus', 'prometheus-port=9641']],
    ['::', ['prometheus', 'prometheus-port=9641']],
  ])(
    "binds coturn's exporter to TURN_EXPORTER_HOST=%s (the node's IP in the DaemonSet)",
    (host, expected) => {
      const lines = render({ TURN_METRICS: 'true', TURN_EXPORTER_HOST: host });
      expect(lines.filter((l) => l.startsWith('prometheus'))).toEqual(expected);
    },
  );

  it('lists every allowed range before the deny rules and keeps one setting per line', () => {
    for (const l of base) expect(l).toMatch(/^[a-z0-9-]+(=[^\s]+)?$/i);
    expect(base.findLastIndex((l) => l.startsWith('allowed-peer-ip'))).toBeLessThan(
      base.findIndex((l) => l.startsWith('denied-peer-ip')),
    );
  });
});

describe('renderTurnserverConf with a value that slipped past the config check', () => {
  it('refuses to render a directive with a line break in it', () => {
    const config = loadTurnConfig({ TURN_SECRET: SECRET }, { readable: () => true, kind: () => 'directory' });
    expect(() =>
      renderTurnserverConf(config, { publicIp: '203.0.113.10\nallow-loopback-peers' }, paths),
    ).toThrow(/control character in "external-ip"/);
  });
});
