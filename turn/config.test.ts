// The TURN config: every rule, all problems listed at once, and the exporter ports checked against the
// listener, TLS and relay range.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../common/env-config.js';
import { TURN_VARIABLES, loadTurnConfig, type ConfigIo } from './config.js';

const SECRET = 's3cret-s3cret-s3cret';

/** Paths under /tmp are directories (TURN_RUN_DIR), every other one a readable regular file (TLS). */
const files: Partial<ConfigIo> = {
  readable: () => true,
  kind: (p) => (p.startsWith('/tmp/') ? 'directory' : 'file'),
};

function problems(env: Record<string, string>, io: Partial<ConfigIo> = files): string[] {
  try {
    loadTurnConfig(env, io);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadTurnConfig', () => {
  it('fills every default', () => {
    const c = loadTurnConfig({ TURN_SECRET: SECRET });
    expect(c).toMatchObject({
      realm: 'pixelstream',
      listenPort: 3478,
      tls: undefined,
      minPort: 49152,
      maxPort: 65535,
      allowedPeers: [],
      metrics: undefined,
      kube: undefined,
      stunServer: undefined,
      logLevel: 'info',
    });
  });

  it('accepts loopback as the external address (a single-machine setup advertises 127.0.0.1)', () => {
    expect(problems({ TURN_SECRET: SECRET, TURN_EXTERNAL_IP: '127.0.0.1' })).toEqual([]);
  });

  it('reads the secret from a mounted file, dropping the trailing newline', () => {
    const c = loadTurnConfig(
      { TURN_SECRET_FILE: '/secret/turn' },
      { readFile: (p) => (p === '/secret/turn' ? `${SECRET}\n` : '') },
    );
    expect(c.secret).toBe(SECRET);
  });

  it('lists every problem at once', () => {
    const list = problems({
      TURN_MIN_PORT: '60000',
      TURN_MAX_PORT: '50000',
      TURN_LISTEN_PORT: '0',
      TURN_TLS_CERT_FILE: '/tls/tls.crt',
      TURN_ALLOWED_PEER_CIDRS: '10.244.0.0/16,bogus',
      TURN_EXTERNAL_IP: 'turn.example.com',
      TURN_STUN_SERVER: 'a:b:c',
      LOG_LEVEL: 'loud',
    });
    // per-variable problems come first; the cross-field rules run once those pass.
    expect(list.join('\n')).toMatch(/TURN_LISTEN_PORT/);
    expect(list.join('\n')).toMatch(/LOG_LEVEL/);
    const next = problems({
      TURN_MIN_PORT: '60000',
      TURN_MAX_PORT: '50000',
      TURN_TLS_CERT_FILE: '/tls/tls.crt',
      TURN_ALLOWED_PEER_CIDRS: '10.244.0.0/16,bogus',
      TURN_EXTERNAL_IP: 'turn.example.com',
      TURN_STUN_SERVER: 'a:b:c',
    });
    expect(next).toEqual([
      expect.stringMatching(/^TURN_SECRET=\(unset\): required/),
      expect.stringMatching(/^TURN_MIN_PORT=60000: must be ≤ TURN_MAX_PORT/),
      expect.stringMatching(/^TURN_TLS_CERT_FILE and TURN_TLS_KEY_FILE: set both/),
      expect.stringMatching(/^TURN_ALLOWED_PEER_CIDRS: "bogus" is not/),
      expect.stringMatching(/^TURN_EXTERNAL_IP="turn.example.com": must be an IP address/),
      expect.stringMatching(/^TURN_STUN_SERVER="a:b:c": must be host\[:port\]/),
    ]);
  });

  it.each([
    [{ TURN_SECRET: 'short' }, /at least 16 characters/],
    [{ TURN_SECRET: SECRET, TURN_SECRET_FILE: '/x' }, /set only one/],
    [{ TURN_SECRET: `${SECRET} ` }, /TURN_SECRET: must not start or end with whitespace/],
    [{ TURN_SECRET: `\t${SECRET}` }, /TURN_SECRET: must not start or end with whitespace/],
    [
      { TURN_SECRET: SECRET, TURN_LISTEN_PORT: '50000' },
      /TURN_LISTEN_PORT=50000: lies inside the relay port range/,
    ],
    [{ TURN_SECRET: SECRET, TURN_ALLOWED_PEER_CIDRS: '0.0.0.0/0' }, /0.0.0.0\/0 overlaps 0.0.0.0\/8/],
    [{ TURN_SECRET: SECRET, TURN_ALLOWED_PEER_CIDRS: '169.254.0.0/24' }, /overlaps 169.254.0.0\/16/],
    [
      { TURN_SECRET: SECRET, TURN_ALLOWED_PEER_CIDRS: '10.0.0.0/8', TURN_SERVICE_CIDR: '10.96.0.0/12' },
      /10.0.0.0\/8 overlaps 10.96.0.0\/12/,
    ],
    [{ TURN_SECRET: SECRET, TURN_ALLOWED_PEER_CIDRS: 'fd00::/8' }, /overlaps fd00:ec2::254\/128/],
    [
      {
        TURN_SECRET: SECRET,
        TURN_ALLOWED_PEER_CIDRS: '10.244.0.0/16',
        TURN_DENIED_PEER_CIDRS: '10.244.7.0/24',
      },
      /would not be refused/,
    ],
    [
      { TURN_SECRET: SECRET, TURN_EXTERNAL_IP: '203.0.113.9', TURN_PRIVATE_IP: 'fd00::1' },
      /same address family/,
    ],
    [
      { TURN_SECRET: SECRET, TURN_EXTERNAL_IP: '0.0.0.0' },
      /TURN_EXTERNAL_IP=0.0.0.0: is the unspecified\/"this network" range, not an address a relay can use/,
    ],
    [{ TURN_SECRET: SECRET, TURN_EXTERNAL_IP: '224.0.0.1' }, /TURN_EXTERNAL_IP=224.0.0.1: is multicast/],
    [{ TURN_SECRET: SECRET, TURN_EXTERNAL_IP: '255.255.255.255' }, /is reserved \(or broadcast\)/],
    [{ TURN_SECRET: SECRET, TURN_EXTERNAL_IP: '::' }, /TURN_EXTERNAL_IP=::: is the unspecified address/],
    [{ TURN_SECRET: SECRET, TURN_PRIVATE_IP: 'fe80::1' }, /TURN_PRIVATE_IP=fe80::1: is link-local/],
    [{ TURN_SECRET: SECRET, TURN_REALM: 'bad realm' }, /TURN_REALM/],
    [{ TURN_SECRET: SECRET, NODE_NAME: 'Bad_Node' }, /NODE_NAME/],
    [{ TURN_SECRET: SECRET, TURN_RUN_DIR: 'relative' }, /TURN_RUN_DIR/],
    [
      { TURN_SECRET: SECRET, TURN_TLS_CERT_FILE: '/c', TURN_TLS_KEY_FILE: '/k', TURN_TLS_PORT: '3478' },
      /must differ/,
    ],
  ])('refuses %o', (env, message) => {
    expect(problems(env).join('\n')).toMatch(message);
  });

  const TLS = { TURN_SECRET: SECRET, TURN_TLS_CERT_FILE: '/c', TURN_TLS_KEY_FILE: '/k' };
  it.each([
    [
      { TURN_SECRET: SECRET, TURN_EXPORTER_PORT: '3478' },
      ['TURN_EXPORTER_PORT=3478: collides with the TURN listener, TLS listener or relay range'],
    ],
    [
      { ...TLS, TURN_EXPORTER_PORT: '5349' },
      ['TURN_EXPORTER_PORT=5349: collides with the TURN listener, TLS listener or relay range'],
    ],
    [
      { ...TLS, TURN_TLS_PORT: '443', TURN_EXPORTER_PORT: '443' },
      ['TURN_EXPORTER_PORT=443: collides with the TURN listener, TLS listener or relay range'],
    ],
    [
      { TURN_SECRET: SECRET, TURN_EXPORTER_PORT: '50000' },
      ['TURN_EXPORTER_PORT=50000: collides with the TURN listener, TLS listener or relay range'],
    ],
    [
      { ...TLS, TURN_METRICS: 'true', TURN_METRICS_PORT: '5349' },
      ['TURN_METRICS_PORT=5349: collides with the TURN listener, TLS listener or relay range'],
    ],
    [{ TURN_SECRET: SECRET, TURN_EXPORTER_PORT: '5349' }, []], // no TLS listener: 5349 is free
    [{ ...TLS, TURN_EXPORTER_PORT: '0' }, []], // exporter off
  ])('exporter ports %o → %j', (env, expected) => {
    expect(problems(env)).toEqual(expected);
  });

  it('binds both exporters to TURN_EXPORTER_HOST (every interface by default)', () => {
    expect(loadTurnConfig({ TURN_SECRET: SECRET, TURN_METRICS: 'true' })).toMatchObject({
      metrics: { host: '0.0.0.0', port: 9641 },
      exporter: { host: '0.0.0.0', port: 9642 },
    });
    expect(
      loadTurnConfig({ TURN_SECRET: SECRET, TURN_METRICS: 'true', TURN_EXPORTER_HOST: '10.0.0.7' }),
    ).toMatchObject({
      metrics: { host: '10.0.0.7' },
      exporter: { host: '10.0.0.7' },
    });
  });

  it('refuses a mounted secret with whitespace around it beyond the final newline', () => {
    const list = problems({ TURN_SECRET_FILE: '/secret/turn' }, { readFile: () => `${SECRET} \n` });
    expect(list).toEqual([expect.stringMatching(/^TURN_SECRET: must not start or end with whitespace/)]);
    expect(problems({ TURN_SECRET: `pass phrase with spaces 0123` })).toEqual([]);
  });

  it('refuses an unreadable secret file with its errno', () => {
    const list = problems(
      { TURN_SECRET_FILE: '/nope' },
      {
        readFile: () => {
          throw Object.assign(new Error('nope'), { code: 'ENOENT' });
        },
      },
    );
    expect(list).toEqual(['TURN_SECRET_FILE="/nope": cannot be read (ENOENT)']);
  });

  it('refuses TLS files that cannot be read (coturn would silently run without TLS)', () => {
    const list = problems(
      { TURN_SECRET: SECRET, TURN_TLS_CERT_FILE: '/tls/tls.crt', TURN_TLS_KEY_FILE: '/tls/tls.key' },
      { ...files, readable: (p) => p === '/tls/tls.crt' },
    );
    expect(list).toEqual(['TURN_TLS_KEY_FILE="/tls/tls.key": not a readable file (mount the TLS Secret)']);
  });

  it('refuses TLS paths that are not clean absolute paths or not regular files', () => {
    expect(
      problems(
        { TURN_SECRET: SECRET, TURN_TLS_CERT_FILE: '/tls/../etc/shadow', TURN_TLS_KEY_FILE: '/tls/tls.key' },
        { readable: () => true, kind: (p) => (p === '/tls/tls.crt' ? 'file' : 'directory') },
      ),
    ).toEqual([
      'TURN_TLS_CERT_FILE="/tls/../etc/shadow": must be an absolute, normalised path',
      'TURN_TLS_KEY_FILE="/tls/tls.key": not a readable file (mount the TLS Secret)',
    ]);
  });

  it.each(['relative/dir', '/', '/tmp/../etc', '/tmp//x', '/tmp/x/'])('refuses TURN_RUN_DIR=%s', (dir) => {
    expect(problems({ TURN_SECRET: SECRET, TURN_RUN_DIR: dir })).toEqual([
      `TURN_RUN_DIR=${JSON.stringify(dir)}: must be an absolute, normalised path below / (no . or .. segments)`,
    ]);
  });

  it('refuses a TURN_RUN_DIR that exists as something other than a directory', () => {
    expect(
      problems({ TURN_SECRET: SECRET, TURN_RUN_DIR: '/run/turn' }, { ...files, kind: () => 'file' }),
    ).toEqual(['TURN_RUN_DIR="/run/turn": exists and is not a directory']);
  });

  // Each variable with a value its own rule accepts, so the only problem left is the injected line break.
  const valid: Record<(typeof TURN_VARIABLES)[number], string> = {
    TURN_SECRET: SECRET,
    TURN_SECRET_FILE: '/secrets/turn',
    TURN_REALM: 'pixelstream',
    TURN_LISTEN_PORT: '3478',
    TURN_TLS_PORT: '5349',
    TURN_TLS_CERT_FILE: '/tls/tls.crt',
    TURN_TLS_KEY_FILE: '/tls/tls.key',
    TURN_MIN_PORT: '49152',
    TURN_MAX_PORT: '65535',
    TURN_ALLOWED_PEER_CIDRS: '10.244.0.0/16',
    TURN_DENIED_PEER_CIDRS: '192.0.2.0/24',
    TURN_SERVICE_CIDR: '10.96.0.0/12',
    TURN_EXTERNAL_IP: '203.0.113.10',
    TURN_PRIVATE_IP: '10.0.0.10',
    NODE_NAME: 'node-1',
    TURN_STUN_SERVER: 'stun.example.org:3478',
    TURN_METRICS: 'true',
    TURN_METRICS_PORT: '9641',
    TURN_EXPORTER_PORT: '9642',
    TURN_EXPORTER_HOST: '10.0.0.10',
    TURN_USER_QUOTA: '10',
    TURN_TOTAL_QUOTA: '100',
    TURN_RUN_DIR: '/tmp/turn-run',
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    TURN_KUBE_TOKEN_FILE: '/var/run/token',
    TURN_KUBE_CA_FILE: '/var/run/ca.crt',
    LOG_LEVEL: 'info',
    TURNSERVER_BIN: 'turnserver',
  };

  it.each(
    TURN_VARIABLES.flatMap((name) => ['\n', '\r\n', '\u0000', '\u001b'].map((c) => [name, c] as const)),
  )('refuses %s with %j in it, listing the variable', (name, c) => {
    // The secret comes from the variable or the file, never both.
    const other = name === 'TURN_SECRET_FILE' ? 'TURN_SECRET' : 'TURN_SECRET_FILE';
    const base: Record<string, string> = Object.fromEntries(
      Object.entries(valid).filter(([k]) => k !== other),
    );
    const env = {
      ...base,
      [name]: `${valid[name].slice(0, 3)}${c}allow-loopback-peers${c}${valid[name].slice(3)}`,
    };
    const io = { ...files, readFile: () => SECRET };
    expect(problems(base, io)).toEqual([]);
    expect(problems(env, io)).toContain(
      `${name}: contains a line break or another control character (every value is written into turnserver.conf, one directive per line)`,
    );
  });

  it('enables Kubernetes discovery only with both the API host and NODE_NAME', () => {
    expect(
      loadTurnConfig({ TURN_SECRET: SECRET, KUBERNETES_SERVICE_HOST: '10.96.0.1' }).kube,
    ).toBeUndefined();
    expect(
      loadTurnConfig({ TURN_SECRET: SECRET, KUBERNETES_SERVICE_HOST: '10.96.0.1', NODE_NAME: 'node-1' }).kube,
    ).toEqual({
      host: '10.96.0.1',
      port: 443,
      tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
      caFile: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
    });
  });

  it('parses STUN servers with and without a port', () => {
    expect(loadTurnConfig({ TURN_SECRET: SECRET, TURN_STUN_SERVER: 'stun.example.net' }).stunServer).toEqual({
      host: 'stun.example.net',
      port: 3478,
    });
    expect(
      loadTurnConfig({ TURN_SECRET: SECRET, TURN_STUN_SERVER: '[2001:db8::1]:19302' }).stunServer,
    ).toEqual({ host: '2001:db8::1', port: 19302 });
  });
});
