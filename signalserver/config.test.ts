// Table tests of the sidecar config: the documented defaults, and every bad variable listed at once, as
// exact ConfigError items (secrets never echoed).
import { describe, expect, it } from 'vitest';
import { configItems } from '../common/index.js';
import { block, refusalLines } from '../test/support/config-refusal.js';
import { loadSidecarConfig } from './config.js';

const TOKEN = 'streamer-token-0123456789';
const TURN = 'turn-secret-0123456789';
const NOT_PRINTABLE =
  'must be printable ASCII without spaces or line breaks (a trailing newline from a secret file?)';
const NO_PORT = 'must be an IP address or a host name, without a port';
const ONLY_WHITESPACE = 'is only whitespace (an empty secret file?); unset it to run without one';
/** What is refused, the environment, and exactly the items it gets. */
type Refused = [string, Record<string, string>, string];

const EDGE_SPACE =
  'must not start or end with whitespace (coturn drops it, so every credential issued here would be refused)';
const turnSecretCase = (bad: string, rule: string): Refused => [
  `the TURN_SECRET ${JSON.stringify(bad)} coturn would read differently`,
  { TURN_SECRET: bad, TURN_URLS: 'turn:192.0.2.10:3478' },
  `
        TURN_SECRET=(hidden): ${rule}
      `,
];

describe('loadSidecarConfig', () => {
  it('has the documented defaults', () => {
    // Every field, so a default that drifts from the README's table fails here.
    expect(loadSidecarConfig({})).toEqual({
      playerPort: 8080,
      playerHost: '0.0.0.0',
      streamerPort: 8888,
      streamerHost: '127.0.0.1',
      sfuPort: 8889,
      sfuHost: '127.0.0.1',
      metricsPort: 9000,
      metricsHost: '0.0.0.0',
      maxPlayersPerStreamer: 1,
      streamerToken: undefined,
      turn: undefined,
      stunUrls: [],
      iceTransportPolicy: 'all',
      drainTimeoutSeconds: 3600,
      routerToken: undefined,
      reservationTtlSeconds: 15,
      resumeGraceSeconds: 60,
      playerPageDir: expect.stringMatching(/player[/\\]build$/) as string,
      logLevel: 'info',
      exitWithParent: false,
      eventsSinkUrl: undefined,
      maxMessageBytes: 262_144,
      maxPlayerSockets: 2000,
      playerRate: { perSecond: 20, burst: 100 },
      streamerRate: { perSecond: 2000, burst: 4000 },
      legacyStreamerIdMs: 2000,
      keepaliveSeconds: 30,
    });
  });

  it.each([
    [
      'TURN settings',
      {
        TURN_SECRET: 'x'.repeat(16),
        TURN_URLS: 'turn:a:3478?transport=udp, turn:a:3478?transport=tcp',
        TURN_TTL_SECONDS: '600',
        ICE_TRANSPORT_POLICY: 'relay',
      },
      {
        turn: {
          secret: 'x'.repeat(16),
          urls: ['turn:a:3478?transport=udp', 'turn:a:3478?transport=tcp'],
          ttlSeconds: 600,
        },
        iceTransportPolicy: 'relay',
      },
    ],
    [
      'IP addresses and host names as bind addresses',
      { PLAYER_HOST: '::', STREAMER_HOST: 'localhost', SFU_HOST: '10.0.0.7', METRICS_HOST: 'pod-a.ns' },
      { playerHost: '::', streamerHost: 'localhost', sfuHost: '10.0.0.7', metricsHost: 'pod-a.ns' },
    ],
    ['the longest reservation limits', { RESERVATION_TTL_SECONDS: '600', RESUME_GRACE_SECONDS: '3600' }, {}],
    [
      'empty secrets as unset',
      { STREAMER_TOKEN: '', TURN_SECRET: '', ROUTER_TOKEN: '' },
      { streamerToken: undefined },
    ],
    [
      'a token of every printable kind',
      { STREAMER_TOKEN: `${TOKEN}~+/=._` },
      { streamerToken: `${TOKEN}~+/=._` },
    ],
    [
      'a ROUTER_TOKEN of every printable kind',
      { ROUTER_TOKEN: `${TOKEN}~+/=-._` },
      { routerToken: `${TOKEN}~+/=-._` },
    ],
    [
      'inner whitespace in TURN_SECRET',
      { TURN_SECRET: `a ${TURN}`, TURN_URLS: 'turn:192.0.2.10:3478' },
      { turn: { secret: `a ${TURN}`, urls: ['turn:192.0.2.10:3478'], ttlSeconds: 43_200 } },
    ],
  ])('accepts %s', (_, env, expected) => {
    expect(loadSidecarConfig(env)).toMatchObject(expected);
  });

  it('keeps a bad field and a cross-field violation as items: variable, value (secrets hidden), rule', () => {
    expect(configItems(() => loadSidecarConfig({ PLAYER_PORT: 'x', TURN_SECRET: TURN }))).toEqual([
      { key: 'PLAYER_PORT', value: 'x', rule: 'must be an integer between 0 and 65535' },
      { key: 'TURN_URLS', value: undefined, rule: 'needed when TURN_SECRET is set' },
    ]);
  });

  it.each<Refused>([
    [
      'every field problem',
      {
        PLAYER_PORT: '99999',
        DRAIN_TIMEOUT_SECONDS: '-1',
        EVENTS_SINK_URL: 'ftp://x',
        ICE_TRANSPORT_POLICY: 'p2p',
        EXIT_WITH_PARENT: 'true',
      },
      `
        PLAYER_PORT="99999": must be ≤ 65535
        ICE_TRANSPORT_POLICY="p2p": must be one of all, relay
        DRAIN_TIMEOUT_SECONDS="-1": must be ≥ 0
        EXIT_WITH_PARENT="true": must be one of 0, 1
        EVENTS_SINK_URL="ftp://x": must be a http/https URL
      `,
    ],
    [
      'bind addresses with a port, a scheme or a space',
      {
        PLAYER_HOST: '0.0.0.0:8080',
        STREAMER_HOST: 'http://127.0.0.1',
        SFU_HOST: 'two words',
        METRICS_HOST: '-bad-',
      },
      `
        PLAYER_HOST="0.0.0.0:8080": ${NO_PORT}
        STREAMER_HOST="http://127.0.0.1": ${NO_PORT}
        SFU_HOST="two words": ${NO_PORT}
        METRICS_HOST="-bad-": ${NO_PORT}
      `,
    ],
    [
      'reservation limits a sidecar would never grant',
      { RESERVATION_TTL_SECONDS: '601', RESUME_GRACE_SECONDS: '3601' },
      `
        RESERVATION_TTL_SECONDS="601": must be ≤ 600
        RESUME_GRACE_SECONDS="3601": must be ≤ 3600
      `,
    ],
    [
      'whitespace-only secrets instead of reading them as unset (auth would turn off)',
      { STREAMER_TOKEN: '\n', TURN_SECRET: '  ', ROUTER_TOKEN: '\t' },
      `
        STREAMER_TOKEN=(hidden): ${ONLY_WHITESPACE}
        TURN_SECRET=(hidden): ${ONLY_WHITESPACE}
        ROUTER_TOKEN=(hidden): ${ONLY_WHITESPACE}
      `,
    ],
    [
      'every cross-field problem',
      {
        TURN_URLS: 'http://nope',
        ICE_TRANSPORT_POLICY: 'relay',
        PLAYER_PORT: '9000',
        STREAMER_TOKEN: 'short',
        STUN_URLS: 'turn:x',
      },
      `
        STREAMER_TOKEN=(hidden): must be at least 16 characters
        TURN_URLS="http://nope": "http://nope" must start with turn: or turns:
        STUN_URLS="turn:x": "turn:x" must start with stun: or stuns:
        METRICS_PORT=(unset): must differ from PLAYER_PORT (both 9000)
      `,
    ],
    [
      'a bad field together with a cross-field violation',
      { PLAYER_PORT: 'x', TURN_SECRET: TURN, ROUTER_TOKEN: 'short' },
      `
        PLAYER_PORT="x": must be an integer between 0 and 65535
        ROUTER_TOKEN=(hidden): must be at least 16 characters
        TURN_URLS=(unset): needed when TURN_SECRET is set
      `,
    ],
    [
      'relay without a TURN server, and TURN_URLS without the secret',
      { ICE_TRANSPORT_POLICY: 'relay', SFU_PORT: '8888' },
      `
        ICE_TRANSPORT_POLICY="relay": relay needs TURN_URLS and TURN_SECRET
        SFU_PORT="8888": must differ from STREAMER_PORT (both 8888)
      `,
    ],
    [
      'TURN_URLS without the secret',
      { TURN_URLS: 'turn:a' },
      `
        TURN_SECRET=(unset): needed when TURN_URLS is set
      `,
    ],
    ...[`${TOKEN}\n`, `${TOKEN}\r\n`, ` ${TOKEN}`, `stream ${TOKEN}`, `${TOKEN}\t`, `${TOKEN}é`].map(
      (bad): Refused => [
        `the STREAMER_TOKEN ${JSON.stringify(bad)} no streamer could present`,
        { STREAMER_TOKEN: bad, PLAYER_PORT: 'x' },
        `
        PLAYER_PORT="x": must be an integer between 0 and 65535
        STREAMER_TOKEN=(hidden): ${NOT_PRINTABLE}
      `,
      ],
    ),
    ...[`${TOKEN}\n`, `${TOKEN.slice(0, 8)} ${TOKEN.slice(8)}`, `${TOKEN}\t`, `${TOKEN}é`].map(
      (bad): Refused => [
        `the ROUTER_TOKEN ${JSON.stringify(bad)} the router refuses`,
        { ROUTER_TOKEN: bad },
        `
        ROUTER_TOKEN=(hidden): ${NOT_PRINTABLE}
      `,
      ],
    ),
    ...[`${TURN}\n`, `${TURN}\r\n`].map((bad) => turnSecretCase(bad, 'must be a single line')),
    ...[` ${TURN}`, `${TURN}\t`].map((bad) => turnSecretCase(bad, EDGE_SPACE)),
  ])('refuses %s, all at once', (_, env, expected) => {
    expect(refusalLines(() => loadSidecarConfig(env))).toEqual(block(expected));
  });
});
