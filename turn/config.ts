// The TURN entrypoint's configuration: every variable, its default and its rules in one place, checked
// once at start-up. A bad environment stops the process listing every problem (exit 2) — coturn never
// starts half-configured, and never with a relay policy that would open the cluster network.
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  about,
  checked,
  envBool,
  envInt,
  envList,
  envPort,
  envSecret,
  envString,
  parseEnv,
  ruleFor,
  type Env,
  type ParsedEnv,
  type Problem,
} from '../common/env-config.js';
import { envLogLevel } from '../common/session-env.js';
import {
  envTurnExporterPort,
  envTurnListenPort,
  envTurnMaxPort,
  envTurnMinPort,
  envTurnRealm,
  inRelayRange,
  portInRelayRange,
  privilegedRelayPorts,
  reversedRelayPorts,
} from '../common/turn-env.js';
import type { LOG_LEVELS } from '../common/logger.js';
import { hasControlChar } from '../common/control-chars.js';
import { ipFamily, overlaps, parseCidr, type Cidr } from '../common/cidr.js';
import { allowedPeerClashes } from '../common/peer-policy.js';
import { turnSecretProblems } from '../common/turn-credentials.js';
import { unusableRelayAddress } from './relay-address.js';

export const DEFAULT_SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Metrics listen on every interface unless TURN_EXPORTER_HOST names one (the DaemonSet gives the node's IP). */
export const WILDCARD_HOST = '0.0.0.0';

/** Comma-separated CIDRs, each its own problem when it is not one. */
const envCidrs = () =>
  checked<string[], Cidr[]>(envList(), (items) => {
    const parsed = items.map(parseCidr);
    const problems = parsed.filter((c): c is string => typeof c === 'string');
    return problems.length > 0 ? problems : { value: parsed as Cidr[] };
  });

/** An IP address a relay can use (for TURN_EXTERNAL_IP, TURN_PRIVATE_IP). */
const envRelayIp = () =>
  checked(envString(), (v) => {
    if (v === undefined) return undefined;
    if (!ipFamily(v)) return 'must be an IP address';
    const unusable = unusableRelayAddress(v);
    return unusable === undefined ? undefined : `is ${unusable}, not an address a relay can use`;
  });

/** An absolute, normalised path (no `.`/`..` segments, no doubled or trailing slash). */
function isCleanAbsolutePath(p: string): boolean {
  return p.startsWith('/') && (p === '/' || (path.posix.normalize(p) === p && !p.endsWith('/')));
}
const envFilePath = () =>
  checked(envString(), (v) =>
    v === undefined || isCleanAbsolutePath(v) ? undefined : 'must be an absolute, normalised path',
  );

const shape = {
  TURN_SECRET: envSecret(turnSecretProblems),
  TURN_SECRET_FILE: envString(),
  TURN_REALM: envTurnRealm(),
  TURN_LISTEN_PORT: envTurnListenPort(),
  TURN_TLS_PORT: envPort(5349, false),
  TURN_TLS_CERT_FILE: envFilePath(),
  TURN_TLS_KEY_FILE: envFilePath(),
  TURN_MIN_PORT: envTurnMinPort(),
  TURN_MAX_PORT: envTurnMaxPort(),
  TURN_ALLOWED_PEER_CIDRS: envCidrs(),
  TURN_DENIED_PEER_CIDRS: envCidrs(),
  TURN_SERVICE_CIDR: envCidrs(),
  TURN_EXTERNAL_IP: envRelayIp(),
  TURN_PRIVATE_IP: envRelayIp(),
  NODE_NAME: checked(envString(), (v) =>
    v === undefined || /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(v)
      ? undefined
      : 'not a Kubernetes node name',
  ),
  TURN_STUN_SERVER: checked<string | undefined, { host: string; port: number } | undefined>(
    envString(),
    (v) => {
      const hostPort = v === undefined ? undefined : parseHostPort(v);
      return v !== undefined && hostPort === undefined ? 'must be host[:port]' : { value: hostPort };
    },
  ),
  TURN_METRICS: envBool(false),
  TURN_METRICS_PORT: envPort(9641, false),
  TURN_EXPORTER_PORT: envTurnExporterPort(true),
  TURN_EXPORTER_HOST: checked(envString(WILDCARD_HOST), (v) =>
    ipFamily(v) !== undefined ? undefined : 'must be an IP address',
  ),
  TURN_USER_QUOTA: envInt(0, 0, 100_000),
  TURN_TOTAL_QUOTA: envInt(0, 0, 10_000_000),
  TURN_RUN_DIR: checked(envString('/tmp/turn'), (v) =>
    isCleanAbsolutePath(v) && v !== '/'
      ? undefined
      : 'must be an absolute, normalised path below / (no . or .. segments)',
  ),
  KUBERNETES_SERVICE_HOST: envString(),
  KUBERNETES_SERVICE_PORT: envPort(443, false),
  TURN_KUBE_TOKEN_FILE: envString(`${DEFAULT_SA_DIR}/token`),
  TURN_KUBE_CA_FILE: envString(`${DEFAULT_SA_DIR}/ca.crt`),
  LOG_LEVEL: envLogLevel(),
  TURNSERVER_BIN: envString('turnserver'),
};

/** Every variable the entrypoint reads (the control-character rule applies to each). */
export const TURN_VARIABLES = Object.keys(shape) as ReadonlyArray<keyof typeof shape>;

export interface TurnConfig {
  secret: string;
  realm: string;
  listenPort: number;
  tls: { port: number; certFile: string; keyFile: string } | undefined;
  minPort: number;
  maxPort: number;
  allowedPeers: Cidr[];
  deniedPeers: Cidr[];
  serviceCidrs: Cidr[];
  externalIp: string | undefined;
  privateIp: string | undefined;
  nodeName: string | undefined;
  stunServer: { host: string; port: number } | undefined;
  /** coturn's own exporter; `host` is TURN_EXPORTER_HOST, shared with ours (one address for both). */
  metrics: { host: string; port: number } | undefined;
  /** Our own log-derived counters (every coturn build); undefined when TURN_EXPORTER_PORT=0. */
  exporter: { host: string; port: number } | undefined;
  userQuota: number;
  totalQuota: number;
  runDir: string;
  kube: { host: string; port: number; tokenFile: string; caFile: string } | undefined;
  logLevel: (typeof LOG_LEVELS)[number];
  turnserverBin: string;
}

/** "host:port", "[v6]:port" or a bare host (port 3478, the STUN default). */
export function parseHostPort(text: string, defaultPort = 3478): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(text.trim());
  if (!m) return undefined;
  const host = m[1] ?? m[2] ?? '';
  const port = m[3] === undefined ? defaultPort : Number(m[3]);
  if (!host || port < 1 || port > 65535) return undefined;
  return { host, port };
}

/** The file checks config loading does (injectable so the rules can be table-tested without files). */
export interface ConfigIo {
  readFile(path: string): string;
  readable(path: string): boolean;
  /** What is at `path` (symbolic links followed); undefined when nothing is. */
  kind(path: string): 'file' | 'directory' | 'other' | undefined;
}

const realIo: ConfigIo = {
  readFile: (p) => readFileSync(p, 'utf8'),
  readable: (p) => {
    try {
      accessSync(p, constants.R_OK);
      return true;
    } catch {
      return false;
    }
  },
  kind: (p) => {
    try {
      const st = statSync(p);
      return st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other';
    } catch {
      return undefined;
    }
  },
};

type Parsed = ParsedEnv<typeof shape>;
const rule = ruleFor(shape);
const TLS_FILES = ['TURN_TLS_CERT_FILE', 'TURN_TLS_KEY_FILE'] as const;

/** TURN_SECRET_FILE as read at start-up: its secret (trailing newline dropped) or why it cannot be read. */
type SecretFile = { secret: string } | { error: string } | undefined;

function readSecretFile(file: string | undefined, readFile: ConfigIo['readFile']): SecretFile {
  if (file === undefined || file.trim() === '') return undefined;
  try {
    // Secrets mounted from files usually end with a newline that is not part of the secret.
    return { secret: readFile(file).replace(/\r?\n$/, '') };
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code ?? String(err) };
  }
}

/** The secret in use: TURN_SECRET, else the file's. */
function chosenSecret(secret: string | undefined, file: SecretFile): string | undefined {
  return secret ?? (file !== undefined && 'secret' in file ? file.secret : undefined);
}

/** TLS when both files are set (the rules refuse one without the other). */
function tlsOf(c: Pick<Parsed, 'TURN_TLS_PORT' | (typeof TLS_FILES)[number]>): TurnConfig['tls'] {
  return c.TURN_TLS_CERT_FILE && c.TURN_TLS_KEY_FILE
    ? { port: c.TURN_TLS_PORT, certFile: c.TURN_TLS_CERT_FILE, keyFile: c.TURN_TLS_KEY_FILE }
    : undefined;
}

/** The rules between variables, and those that look at files (through `io`). */
function turnRules(io: Omit<ConfigIo, 'readFile'>, secretFile: SecretFile) {
  return [
    // Values end up in turnserver.conf, one directive per line: a line break in any of them would add
    // directives (`allow-loopback-peers`, …). No variable of ours has a use for any control character.
    rule([], (_, env) =>
      TURN_VARIABLES.filter((name) => env[name] !== undefined && hasControlChar(env[name])).map((key) => ({
        key,
        rule: 'contains a line break or another control character (every value is written into turnserver.conf, one directive per line)',
      })),
    ),
    rule(['TURN_SECRET', 'TURN_SECRET_FILE'], (c): Problem[] => {
      if (c.TURN_SECRET !== undefined && c.TURN_SECRET_FILE !== undefined)
        return about('TURN_SECRET_FILE', ['set only one of TURN_SECRET and TURN_SECRET_FILE']);
      if (c.TURN_SECRET !== undefined) return [];
      if (secretFile === undefined)
        return about('TURN_SECRET', [
          'required (or TURN_SECRET_FILE), the secret shared with the signalling sidecars',
        ]);
      if ('error' in secretFile) return about('TURN_SECRET_FILE', [`cannot be read (${secretFile.error})`]);
      if (secretFile.secret === '') return about('TURN_SECRET_FILE', ['the file is empty']);
      // The sidecars check their copy with the same rule (coturn trims config values: see common/).
      return about(
        'TURN_SECRET_FILE',
        turnSecretProblems(secretFile.secret).map((r) => `the secret it holds ${r}`),
      );
    }),
    rule(['TURN_MIN_PORT'], (c) => privilegedRelayPorts(c.TURN_MIN_PORT)),
    rule(['TURN_MIN_PORT', 'TURN_MAX_PORT'], reversedRelayPorts),
    rule(['TURN_MIN_PORT', 'TURN_MAX_PORT', 'TURN_LISTEN_PORT'], (c) =>
      portInRelayRange(c, 'TURN_LISTEN_PORT', c.TURN_LISTEN_PORT),
    ),
    rule(TLS_FILES, (c) => {
      if (Boolean(c.TURN_TLS_CERT_FILE) === Boolean(c.TURN_TLS_KEY_FILE)) return [];
      const [set, unset] = c.TURN_TLS_CERT_FILE ? TLS_FILES : ([...TLS_FILES].reverse() as [string, string]);
      return about(unset, [`needed with ${set} (TLS listener): set both or neither`]);
    }),
    // coturn only warns about a missing certificate and then runs without TLS: turns: URLs would fail
    // silently, so refuse to start instead.
    ...TLS_FILES.map((key) =>
      rule([key], (c) => {
        const file = c[key];
        return file !== undefined && (io.kind(file) !== 'file' || !io.readable(file))
          ? about(key, ['not a readable file (mount the TLS Secret)'])
          : [];
      }),
    ),
    rule([...TLS_FILES, 'TURN_TLS_PORT', 'TURN_LISTEN_PORT', 'TURN_MIN_PORT', 'TURN_MAX_PORT'], (c) => {
      const tls = tlsOf(c);
      if (tls === undefined) return [];
      const problems =
        tls.port === c.TURN_LISTEN_PORT ? about('TURN_TLS_PORT', ['must differ from TURN_LISTEN_PORT']) : [];
      return [...problems, ...portInRelayRange(c, 'TURN_TLS_PORT', tls.port)];
    }),
    // Allowed ranges win over denied ones in coturn, so an allowed range that touches loopback, link-local,
    // metadata or the Service network would silently reopen it: refuse such a config outright.
    rule(['TURN_ALLOWED_PEER_CIDRS', 'TURN_SERVICE_CIDR'], (c) =>
      about('TURN_ALLOWED_PEER_CIDRS', allowedPeerClashes(c.TURN_ALLOWED_PEER_CIDRS, c.TURN_SERVICE_CIDR)),
    ),
    rule(['TURN_ALLOWED_PEER_CIDRS', 'TURN_DENIED_PEER_CIDRS'], (c) =>
      about(
        'TURN_DENIED_PEER_CIDRS',
        c.TURN_DENIED_PEER_CIDRS.flatMap((denied) => {
          const winner = c.TURN_ALLOWED_PEER_CIDRS.find((a) => overlaps(a, denied));
          return winner === undefined
            ? []
            : [
                `${denied.text} overlaps allowed ${winner.text}; coturn lets allowed ranges win, so it would not be refused`,
              ];
        }),
      ),
    ),
    rule(['TURN_EXTERNAL_IP', 'TURN_PRIVATE_IP'], (c) =>
      c.TURN_EXTERNAL_IP && c.TURN_PRIVATE_IP && ipFamily(c.TURN_EXTERNAL_IP) !== ipFamily(c.TURN_PRIVATE_IP)
        ? about('TURN_PRIVATE_IP', ['must be the same address family as TURN_EXTERNAL_IP'])
        : [],
    ),
    rule(['TURN_METRICS', 'TURN_EXPORTER_PORT', 'TURN_METRICS_PORT'], (c) =>
      c.TURN_METRICS && c.TURN_EXPORTER_PORT === c.TURN_METRICS_PORT
        ? about('TURN_EXPORTER_PORT', ['must differ from TURN_METRICS_PORT'])
        : [],
    ),
    rule(
      [
        'TURN_METRICS',
        'TURN_EXPORTER_PORT',
        'TURN_METRICS_PORT',
        'TURN_LISTEN_PORT',
        'TURN_MIN_PORT',
        'TURN_MAX_PORT',
        'TURN_TLS_PORT',
        ...TLS_FILES,
      ],
      (c) =>
        (
          [
            ['TURN_EXPORTER_PORT', c.TURN_EXPORTER_PORT],
            ['TURN_METRICS_PORT', c.TURN_METRICS ? c.TURN_METRICS_PORT : 0],
          ] as const
        ).flatMap(([key, p]) =>
          p !== 0 && (p === c.TURN_LISTEN_PORT || p === tlsOf(c)?.port || inRelayRange(c, p))
            ? about(key, ['collides with the TURN listener, TLS listener or relay range'])
            : [],
        ),
    ),
    rule(['TURN_RUN_DIR'], (c) => {
      const kind = io.kind(c.TURN_RUN_DIR);
      return kind !== undefined && kind !== 'directory'
        ? about('TURN_RUN_DIR', ['exists and is not a directory'])
        : [];
    }),
  ];
}

/** Builds the config from `env`; throws ConfigError listing every problem. */
export function loadTurnConfig(env: Env, io: Partial<ConfigIo> = {}): TurnConfig {
  const { readFile, readable, kind } = { ...realIo, ...io };
  const secretFile = readSecretFile(env.TURN_SECRET_FILE, readFile);
  const raw = parseEnv(shape, env, turnRules({ readable, kind }, secretFile));
  return {
    secret: chosenSecret(raw.TURN_SECRET, secretFile) ?? '',
    realm: raw.TURN_REALM,
    listenPort: raw.TURN_LISTEN_PORT,
    tls: tlsOf(raw),
    minPort: raw.TURN_MIN_PORT,
    maxPort: raw.TURN_MAX_PORT,
    allowedPeers: raw.TURN_ALLOWED_PEER_CIDRS,
    deniedPeers: raw.TURN_DENIED_PEER_CIDRS,
    serviceCidrs: raw.TURN_SERVICE_CIDR,
    externalIp: raw.TURN_EXTERNAL_IP,
    privateIp: raw.TURN_PRIVATE_IP,
    nodeName: raw.NODE_NAME,
    stunServer: raw.TURN_STUN_SERVER,
    metrics: raw.TURN_METRICS ? { host: raw.TURN_EXPORTER_HOST, port: raw.TURN_METRICS_PORT } : undefined,
    exporter:
      raw.TURN_EXPORTER_PORT === 0
        ? undefined
        : { host: raw.TURN_EXPORTER_HOST, port: raw.TURN_EXPORTER_PORT },
    userQuota: raw.TURN_USER_QUOTA,
    totalQuota: raw.TURN_TOTAL_QUOTA,
    runDir: raw.TURN_RUN_DIR,
    kube:
      raw.KUBERNETES_SERVICE_HOST && raw.NODE_NAME
        ? {
            host: raw.KUBERNETES_SERVICE_HOST,
            port: raw.KUBERNETES_SERVICE_PORT,
            tokenFile: raw.TURN_KUBE_TOKEN_FILE,
            caFile: raw.TURN_KUBE_CA_FILE,
          }
        : undefined,
    logLevel: raw.LOG_LEVEL,
    turnserverBin: raw.TURNSERVER_BIN,
  };
}

// Keeps the inferred type of the shape in sync with TurnConfig's raw inputs (documentation aid).
export type TurnEnv = ParsedEnv<typeof shape>;
