// The sidecar's whole configuration: every variable, its default and its rule in one shape, parsed once at
// start-up. A bad environment is refused with every problem listed (see common/env-config.ts).
import {
  SESSION_ENV,
  about,
  envEnum,
  envHost,
  envIceTransportPolicy,
  envInt,
  envList,
  envPort,
  envSecret,
  envTurnTtlSeconds,
  envUrl,
  parseEnv,
  portClashes,
  ruleFor,
  secretTokenProblems,
  turnSecretProblems,
  type Env,
  type LOG_LEVELS,
  envDrainTimeoutSeconds,
} from '../common/index.js';

const shape = {
  PLAYER_PORT: envPort(8080),
  PLAYER_HOST: envHost('0.0.0.0'),
  STREAMER_PORT: envPort(8888),
  // The streamer runs in the same pod: loopback keeps the unauthenticated default off the network.
  STREAMER_HOST: envHost('127.0.0.1'),
  SFU_PORT: envPort(8889),
  SFU_HOST: envHost('127.0.0.1'),
  METRICS_PORT: envPort(9000),
  METRICS_HOST: envHost('0.0.0.0'),
  MAX_PLAYERS_PER_STREAMER: envInt(1, 1, 10_000),
  // It travels as `?token=` on the streamer's URL: a stray newline or space would never match.
  STREAMER_TOKEN: envSecret(secretTokenProblems),
  TURN_SECRET: envSecret(turnSecretProblems),
  TURN_URLS: envList([], (u) => (/^turns?:/.test(u) ? undefined : 'must start with turn: or turns:')),
  TURN_TTL_SECONDS: envTurnTtlSeconds(),
  STUN_URLS: envList([], (u) => (/^stuns?:/.test(u) ? undefined : 'must start with stun: or stuns:')),
  ICE_TRANSPORT_POLICY: envIceTransportPolicy(),
  DRAIN_TIMEOUT_SECONDS: envDrainTimeoutSeconds(7 * 86_400),
  // ROUTER_TOKEN has the router's rule: a token it would refuse can only make every reservation fail here.
  ...SESSION_ENV,
  // Only "1" turns it on (common/parent-watch.ts); anything else would be silently ignored, so refuse it.
  EXIT_WITH_PARENT: envEnum(['0', '1'] as const, '0'),
  EVENTS_SINK_URL: envUrl(['http', 'https']),
  // SDP offers are a few KB; 256 KiB leaves room for huge candidate lists and stops memory abuse.
  MAX_MESSAGE_BYTES: envInt(262_144, 1024, 16 * 1024 * 1024),
  // A pod serves one to a few players; thousands of idle sockets can only be abuse (or a benchmark).
  MAX_PLAYER_SOCKETS: envInt(2000, 1, 1_000_000),
  // A browser sends a few dozen messages per session set-up and one ping per 30 s; 20/s sustained is ample.
  PLAYER_MESSAGES_PER_SECOND: envInt(20, 0, 1_000_000),
  PLAYER_MESSAGE_BURST: envInt(100, 1, 1_000_000),
  // The streamer socket carries every player's offers and candidates, so it gets a far larger budget.
  STREAMER_MESSAGES_PER_SECOND: envInt(2000, 0, 10_000_000),
  STREAMER_MESSAGE_BURST: envInt(4000, 1, 10_000_000),
  // UE 4.27 never names itself; after this long a silent streamer is registered under the default id.
  LEGACY_STREAMER_ID_MS: envInt(2000, 0, 60_000),
  // Transport-level ping frames find dead peers (half-open TCP) that would otherwise hold a stream.
  KEEPALIVE_SECONDS: envInt(30, 0, 3600),
};

export interface SidecarConfig {
  playerPort: number;
  playerHost: string;
  streamerPort: number;
  streamerHost: string;
  /** 0 disables the SFU listener. */
  sfuPort: number;
  sfuHost: string;
  metricsPort: number;
  metricsHost: string;
  maxPlayersPerStreamer: number;
  streamerToken: string | undefined;
  turn: { secret: string; urls: string[]; ttlSeconds: number } | undefined;
  stunUrls: string[];
  iceTransportPolicy: 'all' | 'relay';
  drainTimeoutSeconds: number;
  routerToken: string | undefined;
  reservationTtlSeconds: number;
  resumeGraceSeconds: number;
  playerPageDir: string;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Stop (as on SIGTERM) when stdin closes: set by the local stack's supervisor. */
  exitWithParent: boolean;
  eventsSinkUrl: string | undefined;
  maxMessageBytes: number;
  maxPlayerSockets: number;
  playerRate: { perSecond: number; burst: number };
  streamerRate: { perSecond: number; burst: number };
  legacyStreamerIdMs: number;
  keepaliveSeconds: number;
}

const rule = ruleFor(shape);

/** Rules between variables; each runs when the variables it names parsed (see parseEnv). */
const RULES = [
  rule(['TURN_SECRET', 'TURN_URLS'], (c) => {
    if (c.TURN_SECRET !== undefined && c.TURN_URLS.length === 0)
      return about('TURN_URLS', ['needed when TURN_SECRET is set']);
    if (c.TURN_SECRET === undefined && c.TURN_URLS.length > 0)
      return about('TURN_SECRET', ['needed when TURN_URLS is set']);
    return [];
  }),
  rule(['ICE_TRANSPORT_POLICY', 'TURN_URLS'], (c) =>
    c.ICE_TRANSPORT_POLICY === 'relay' && c.TURN_URLS.length === 0
      ? about('ICE_TRANSPORT_POLICY', ['relay needs TURN_URLS and TURN_SECRET'])
      : [],
  ),
  rule(['PLAYER_PORT', 'STREAMER_PORT', 'SFU_PORT', 'METRICS_PORT'], (c) =>
    portClashes(c, ['PLAYER_PORT', 'STREAMER_PORT', 'SFU_PORT', 'METRICS_PORT']),
  ),
];

/** Parses the sidecar's environment; throws ConfigError listing every problem. */
export function loadSidecarConfig(env: Env = process.env): SidecarConfig {
  const e = parseEnv(shape, env, RULES);
  return {
    playerPort: e.PLAYER_PORT,
    playerHost: e.PLAYER_HOST,
    streamerPort: e.STREAMER_PORT,
    streamerHost: e.STREAMER_HOST,
    sfuPort: e.SFU_PORT,
    sfuHost: e.SFU_HOST,
    metricsPort: e.METRICS_PORT,
    metricsHost: e.METRICS_HOST,
    maxPlayersPerStreamer: e.MAX_PLAYERS_PER_STREAMER,
    streamerToken: e.STREAMER_TOKEN,
    turn:
      e.TURN_SECRET !== undefined
        ? { secret: e.TURN_SECRET, urls: e.TURN_URLS, ttlSeconds: e.TURN_TTL_SECONDS }
        : undefined,
    stunUrls: e.STUN_URLS,
    iceTransportPolicy: e.ICE_TRANSPORT_POLICY,
    drainTimeoutSeconds: e.DRAIN_TIMEOUT_SECONDS,
    routerToken: e.ROUTER_TOKEN,
    reservationTtlSeconds: e.RESERVATION_TTL_SECONDS,
    resumeGraceSeconds: e.RESUME_GRACE_SECONDS,
    playerPageDir: e.PLAYER_PAGE_DIR,
    logLevel: e.LOG_LEVEL,
    exitWithParent: e.EXIT_WITH_PARENT === '1',
    eventsSinkUrl: e.EVENTS_SINK_URL,
    maxMessageBytes: e.MAX_MESSAGE_BYTES,
    maxPlayerSockets: e.MAX_PLAYER_SOCKETS,
    playerRate: { perSecond: e.PLAYER_MESSAGES_PER_SECOND, burst: e.PLAYER_MESSAGE_BURST },
    streamerRate: { perSecond: e.STREAMER_MESSAGES_PER_SECOND, burst: e.STREAMER_MESSAGE_BURST },
    legacyStreamerIdMs: e.LEGACY_STREAMER_ID_MS,
    keepaliveSeconds: e.KEEPALIVE_SECONDS,
  };
}
