// The TURN config: every rule, all problems listed at once, and the exporter ports checked against the
// listener, TLS and relay range.
import { describe, expect, it } from 'vitest';
import { configItems, type ConfigItem } from '../common/env-config.js';
import { block, refusalLines } from '../test/support/config-refusal.js';
import { TURN_VARIABLES, loadTurnConfig, type ConfigIo } from './config.js';

const SECRET = 's3cret-s3cret-s3cret';

/** Paths under /tmp are directories (TURN_RUN_DIR), every other one a readable regular file (TLS). */
const files: Partial<ConfigIo> = {
  readable: () => true,
  kind: (p) => (p.startsWith('/tmp/') ? 'directory' : 'file'),
};

function problems(env: Record<string, string>, io: Partial<ConfigIo> = files): readonly ConfigItem[] {
  return configItems(() => loadTurnConfig(env, io));
}
const COLLIDES = 'collides with the TURN listener, TLS listener or relay range';
const EDGE_SPACE =
  'must not start or end with whitespace (coturn drops it, so every credential issued here would be refused)';
const CONTROL_CHAR =
  'contains a line break or another control character (every value is written into turnserver.conf, one directive per line)';
const TLS = { TURN_SECRET: SECRET, TURN_TLS_CERT_FILE: '/c', TURN_TLS_KEY_FILE: '/k' };

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

  it('keeps a bad field and a cross-field violation as items, the secret file unread when unset', () => {
    expect(problems({ LOG_LEVEL: 'loud', TURN_LISTEN_PORT: '50000' })).toEqual([
      {
        key: 'LOG_LEVEL',
        value: 'loud',
        rule: 'must be one of fatal, error, warn, info, debug, trace, silent',
      },
      {
        key: 'TURN_SECRET',
        value: undefined,
        rule: 'required (or TURN_SECRET_FILE), the secret shared with the signalling sidecars',
      },
      {
        key: 'TURN_LISTEN_PORT',
        value: '50000',
        rule: 'must lie outside the relay range 49152-65535',
      },
    ]);
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'every field problem, and the rules whose fields parsed',
      {
        TURN_MIN_PORT: '60000',
        TURN_MAX_PORT: '50000',
        TURN_LISTEN_PORT: '0',
        TURN_TLS_CERT_FILE: '/tls/tls.crt',
        TURN_ALLOWED_PEER_CIDRS: '10.244.0.0/16,bogus',
        TURN_EXTERNAL_IP: 'turn.example.com',
        TURN_STUN_SERVER: 'a:b:c',
        LOG_LEVEL: 'loud',
      },
      `
        TURN_LISTEN_PORT="0": must be ≥ 1
        TURN_ALLOWED_PEER_CIDRS="10.244.0.0/16,bogus": "bogus" is not an IPv4/IPv6 address or CIDR
        TURN_EXTERNAL_IP="turn.example.com": must be an IP address
        TURN_STUN_SERVER="a:b:c": must be host[:port]
        LOG_LEVEL="loud": must be one of fatal, error, warn, info, debug, trace, silent
        TURN_SECRET=(unset): required (or TURN_SECRET_FILE), the secret shared with the signalling sidecars
        TURN_MIN_PORT="60000": must be ≤ TURN_MAX_PORT=50000
        TURN_TLS_KEY_FILE=(unset): needed with TURN_TLS_CERT_FILE (TLS listener): set both or neither
      `,
    ],
    [
      'a short secret',
      { TURN_SECRET: 'short' },
      `
        TURN_SECRET=(hidden): must be at least 16 characters (anyone who guesses it can mint credentials)
      `,
    ],
    [
      'both secret sources',
      { TURN_SECRET: SECRET, TURN_SECRET_FILE: '/x' },
      `
        TURN_SECRET_FILE="/x": set only one of TURN_SECRET and TURN_SECRET_FILE
      `,
    ],
    [
      'a trailing space in the secret',
      { TURN_SECRET: `${SECRET} ` },
      `
        TURN_SECRET=(hidden): ${EDGE_SPACE}
      `,
    ],
    [
      'a leading tab in the secret',
      { TURN_SECRET: `\t${SECRET}` },
      `
        TURN_SECRET=(hidden): ${EDGE_SPACE}
        TURN_SECRET=(hidden): ${CONTROL_CHAR}
      `,
    ],
    [
      'the listener in the relay range',
      { TURN_SECRET: SECRET, TURN_LISTEN_PORT: '50000' },
      `
        TURN_LISTEN_PORT="50000": must lie outside the relay range 49152-65535
      `,
    ],
    [
      'the TLS listener in the relay range',
      { ...TLS, TURN_TLS_PORT: '50000' },
      `
        TURN_TLS_PORT="50000": must lie outside the relay range 49152-65535
      `,
    ],
    [
      'a relay range down into the privileged ports, over the listener',
      { TURN_SECRET: SECRET, TURN_MIN_PORT: '80', TURN_MAX_PORT: '5000' },
      `
        TURN_MIN_PORT="80": must be ≥ 1024 (relays never take privileged ports)
        TURN_LISTEN_PORT=(unset): must lie outside the relay range 80-5000
      `,
    ],
    [
      'every address allowed',
      { TURN_SECRET: SECRET, TURN_ALLOWED_PEER_CIDRS: '0.0.0.0/0' },
      `
        TURN_ALLOWED_PEER_CIDRS="0.0.0.0/0": 0.0.0.0/0 overlaps 0.0.0.0/8, which must stay refused: "this network"; 0.0.0.0 reaches the node itself
      `,
    ],
    [
      'link-local allowed',
      { TURN_SECRET: SECRET, TURN_ALLOWED_PEER_CIDRS: '169.254.0.0/24' },
      `
        TURN_ALLOWED_PEER_CIDRS="169.254.0.0/24": 169.254.0.0/24 overlaps 169.254.0.0/16, which must stay refused: link-local, including the cloud metadata service 169.254.169.254
      `,
    ],
    [
      'the Service network allowed',
      { TURN_SECRET: SECRET, TURN_ALLOWED_PEER_CIDRS: '10.0.0.0/8', TURN_SERVICE_CIDR: '10.96.0.0/12' },
      `
        TURN_ALLOWED_PEER_CIDRS="10.0.0.0/8": 10.0.0.0/8 overlaps 10.96.0.0/12, which must stay refused: the Service network
      `,
    ],
    [
      'the metadata address allowed',
      { TURN_SECRET: SECRET, TURN_ALLOWED_PEER_CIDRS: 'fd00::/8' },
      `
        TURN_ALLOWED_PEER_CIDRS="fd00::/8": fd00::/8 overlaps fd00:ec2::254/128, which must stay refused: cloud metadata service over IPv6 (AWS), inside fc00::/7
      `,
    ],
    [
      'a denied range inside an allowed one',
      {
        TURN_SECRET: SECRET,
        TURN_ALLOWED_PEER_CIDRS: '10.244.0.0/16',
        TURN_DENIED_PEER_CIDRS: '10.244.7.0/24',
      },
      `
        TURN_DENIED_PEER_CIDRS="10.244.7.0/24": 10.244.7.0/24 overlaps allowed 10.244.0.0/16; coturn lets allowed ranges win, so it would not be refused
      `,
    ],
    [
      'addresses of two families',
      { TURN_SECRET: SECRET, TURN_EXTERNAL_IP: '203.0.113.9', TURN_PRIVATE_IP: 'fd00::1' },
      `
        TURN_PRIVATE_IP="fd00::1": must be the same address family as TURN_EXTERNAL_IP
      `,
    ],
    [
      'the unspecified address',
      { TURN_SECRET: SECRET, TURN_EXTERNAL_IP: '0.0.0.0' },
      `
        TURN_EXTERNAL_IP="0.0.0.0": is the unspecified/"this network" range, not an address a relay can use
      `,
    ],
    [
      'a multicast address',
      { TURN_SECRET: SECRET, TURN_EXTERNAL_IP: '224.0.0.1' },
      `
        TURN_EXTERNAL_IP="224.0.0.1": is multicast, not an address a relay can use
      `,
    ],
    [
      'the broadcast address',
      { TURN_SECRET: SECRET, TURN_EXTERNAL_IP: '255.255.255.255' },
      `
        TURN_EXTERNAL_IP="255.255.255.255": is reserved (or broadcast), not an address a relay can use
      `,
    ],
    [
      'the IPv6 unspecified address',
      { TURN_SECRET: SECRET, TURN_EXTERNAL_IP: '::' },
      `
        TURN_EXTERNAL_IP="::": is the unspecified address, not an address a relay can use
      `,
    ],
    [
      'a link-local private address',
      { TURN_SECRET: SECRET, TURN_PRIVATE_IP: 'fe80::1' },
      `
        TURN_PRIVATE_IP="fe80::1": is link-local, not an address a relay can use
      `,
    ],
    [
      'a realm with a space',
      { TURN_SECRET: SECRET, TURN_REALM: 'bad realm' },
      `
        TURN_REALM="bad realm": must be letters, digits, dots and dashes
      `,
    ],
    [
      'a node name with capitals',
      { TURN_SECRET: SECRET, NODE_NAME: 'Bad_Node' },
      `
        NODE_NAME="Bad_Node": not a Kubernetes node name
      `,
    ],
    [
      'TLS on the listener port',
      { ...TLS, TURN_TLS_PORT: '3478' },
      `
        TURN_TLS_PORT="3478": must differ from TURN_LISTEN_PORT
      `,
    ],
    [
      'the exporter on the listener',
      { TURN_SECRET: SECRET, TURN_EXPORTER_PORT: '3478' },
      `
        TURN_EXPORTER_PORT="3478": ${COLLIDES}
      `,
    ],
    [
      'the exporter on TLS',
      { ...TLS, TURN_EXPORTER_PORT: '5349' },
      `
        TURN_EXPORTER_PORT="5349": ${COLLIDES}
      `,
    ],
    [
      'the exporter on a moved TLS port',
      { ...TLS, TURN_TLS_PORT: '443', TURN_EXPORTER_PORT: '443' },
      `
        TURN_EXPORTER_PORT="443": ${COLLIDES}
      `,
    ],
    [
      'the exporter in the relay range',
      { TURN_SECRET: SECRET, TURN_EXPORTER_PORT: '50000' },
      `
        TURN_EXPORTER_PORT="50000": ${COLLIDES}
      `,
    ],
    [
      "coturn's exporter on TLS",
      { ...TLS, TURN_METRICS: 'true', TURN_METRICS_PORT: '5349' },
      `
        TURN_METRICS_PORT="5349": ${COLLIDES}
      `,
    ],
    ['nothing: no TLS listener, so 5349 is free', { TURN_SECRET: SECRET, TURN_EXPORTER_PORT: '5349' }, ''],
    ['nothing: the exporter is off', { ...TLS, TURN_EXPORTER_PORT: '0' }, ''],
    ['nothing: a pass phrase with inner spaces', { TURN_SECRET: 'pass phrase with spaces 0123' }, ''],
    ...['relative/dir', '/', '/tmp/../etc', '/tmp//x', '/tmp/x/'].map(
      (dir): [string, Record<string, string>, string] => [
        `TURN_RUN_DIR=${dir}`,
        { TURN_SECRET: SECRET, TURN_RUN_DIR: dir },
        `
        TURN_RUN_DIR=${JSON.stringify(dir)}: must be an absolute, normalised path below / (no . or .. segments)
      `,
      ],
    ),
  ])('refuses %s, all at once', (_, env, expected) => {
    expect(refusalLines(() => loadTurnConfig(env, files))).toEqual(block(expected));
  });

  it.each<[string, Record<string, string>, Partial<ConfigIo>, string]>([
    [
      'a mounted secret with whitespace around it beyond the final newline',
      { TURN_SECRET_FILE: '/secret/turn' },
      { readFile: () => `${SECRET} \n` },
      `
        TURN_SECRET_FILE="/secret/turn": the secret it holds ${EDGE_SPACE}
      `,
    ],
    [
      'an unreadable secret file, with its errno',
      { TURN_SECRET_FILE: '/nope' },
      {
        readFile: () => {
          throw Object.assign(new Error('nope'), { code: 'ENOENT' });
        },
      },
      `
        TURN_SECRET_FILE="/nope": cannot be read (ENOENT)
      `,
    ],
    [
      'TLS files that cannot be read (coturn would silently run without TLS)',
      { TURN_SECRET: SECRET, TURN_TLS_CERT_FILE: '/tls/tls.crt', TURN_TLS_KEY_FILE: '/tls/tls.key' },
      { ...files, readable: (p) => p === '/tls/tls.crt' },
      `
        TURN_TLS_KEY_FILE="/tls/tls.key": not a readable file (mount the TLS Secret)
      `,
    ],
    [
      'TLS paths that are not clean absolute paths or not regular files',
      { TURN_SECRET: SECRET, TURN_TLS_CERT_FILE: '/tls/../etc/shadow', TURN_TLS_KEY_FILE: '/tls/tls.key' },
      { readable: () => true, kind: (p) => (p === '/tls/tls.crt' ? 'file' : 'directory') },
      `
        TURN_TLS_CERT_FILE="/tls/../etc/shadow": must be an absolute, normalised path
        TURN_TLS_KEY_FILE="/tls/tls.key": not a readable file (mount the TLS Secret)
      `,
    ],
    [
      'a TURN_RUN_DIR that exists as something other than a directory',
      { TURN_SECRET: SECRET, TURN_RUN_DIR: '/run/turn' },
      { ...files, kind: () => 'file' },
      `
        TURN_RUN_DIR="/run/turn": exists and is not a directory
      `,
    ],
  ])('refuses %s', (_, env, io, expected) => {
    expect(refusalLines(() => loadTurnConfig(env, io))).toEqual(block(expected));
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
    expect(problems(env, io)).toContainEqual(
      name === 'TURN_SECRET'
        ? { key: name, hidden: true, rule: CONTROL_CHAR }
        : { key: name, value: env[name], rule: CONTROL_CHAR },
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
