// The TURN entrypoint's configuration: every variable, its default and its rules in one place, checked
// once at start-up. A bad environment stops the process listing every problem (exit 2) — coturn never
// starts half-configured, and never with a relay policy that would open the cluster network.
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  ConfigError,
  envBool,
  envEnum,
  envInt,
  envList,
  envPort,
  envSecret,
  envString,
  parseEnv,
  type EnvValues,
} from '../common/env-config.js';
import { LOG_LEVELS } from '../common/logger.js';
import { hasControlChar } from '../common/control-chars.js';
import { ipFamily, overlaps, parseCidr, type Cidr } from '../common/cidr.js';
import { allowedPeerClashes } from '../common/peer-policy.js';
import { turnSecretProblems } from '../common/turn-credentials.js';
import { unusableRelayAddress } from './relay-address.js';

export const DEFAULT_SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Metrics listen on every interface unless TURN_EXPORTER_HOST names one (the DaemonSet gives the node's IP). */
export const WILDCARD_HOST = '0.0.0.0';

const shape = {
  TURN_SECRET: envSecret(),
  TURN_SECRET_FILE: envString(),
  TURN_REALM: envString('pixelstream'),
  TURN_LISTEN_PORT: envPort(3478, false),
  TURN_TLS_PORT: envPort(5349, false),
  TURN_TLS_CERT_FILE: envString(),
  TURN_TLS_KEY_FILE: envString(),
  TURN_MIN_PORT: envInt(49152, 1024, 65535),
  TURN_MAX_PORT: envInt(65535, 1024, 65535),
  TURN_ALLOWED_PEER_CIDRS: envList(),
  TURN_DENIED_PEER_CIDRS: envList(),
  TURN_SERVICE_CIDR: envList(),
  TURN_EXTERNAL_IP: envString(),
  TURN_PRIVATE_IP: envString(),
  NODE_NAME: envString(),
  TURN_STUN_SERVER: envString(),
  TURN_METRICS: envBool(false),
  TURN_METRICS_PORT: envPort(9641, false),
  TURN_EXPORTER_PORT: envPort(9642),
  TURN_EXPORTER_HOST: envString(WILDCARD_HOST),
  TURN_USER_QUOTA: envInt(0, 0, 100_000),
  TURN_TOTAL_QUOTA: envInt(0, 0, 10_000_000),
  TURN_RUN_DIR: envString('/tmp/turn'),
  KUBERNETES_SERVICE_HOST: envString(),
  KUBERNETES_SERVICE_PORT: envPort(443, false),
  TURN_KUBE_TOKEN_FILE: envString(`${DEFAULT_SA_DIR}/token`),
  TURN_KUBE_CA_FILE: envString(`${DEFAULT_SA_DIR}/ca.crt`),
  LOG_LEVEL: envEnum(LOG_LEVELS, 'info'),
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

type Env = Record<string, string | undefined>;

/** "host:port", "[v6]:port" or a bare host (port 3478, the STUN default). */
export function parseHostPort(text: string, defaultPort = 3478): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(text.trim());
  if (!m) return undefined;
  const host = m[1] ?? m[2] ?? '';
  const port = m[3] === undefined ? defaultPort : Number(m[3]);
  if (!host || port < 1 || port > 65535) return undefined;
  return { host, port };
}

function cidrList(name: string, values: string[], problems: string[]): Cidr[] {
  const out: Cidr[] = [];
  for (const v of values) {
    const c = parseCidr(v);
    if (typeof c === 'string') problems.push(`${name}: ${c}`);
    else out.push(c);
  }
  return out;
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

/**
 * Values end up in turnserver.conf, one directive per line: a line break in any of them would add
 * directives (`allow-loopback-peers`, …). No variable of ours has a use for any control character.
 */
function controlCharProblems(env: Env): string[] {
  return TURN_VARIABLES.filter((name) => env[name] !== undefined && hasControlChar(env[name])).map(
    (name) =>
      `${name}: contains a line break or another control character (every value is written into turnserver.conf, one directive per line)`,
  );
}

/** An absolute, normalised path (no `.`/`..` segments, no doubled or trailing slash). */
function isCleanAbsolutePath(p: string): boolean {
  return p.startsWith('/') && (p === '/' || (path.posix.normalize(p) === p && !p.endsWith('/')));
}

/** Builds the config from `env`; throws ConfigError listing every problem. */
export function loadTurnConfig(env: Env, io: Partial<ConfigIo> = {}): TurnConfig {
  const { readFile, readable, kind } = { ...realIo, ...io };
  const early = controlCharProblems(env);
  let raw: ReturnType<typeof parseEnv<typeof shape>>;
  try {
    raw = parseEnv(shape, env);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError([...early, ...err.problems]);
    throw err;
  }
  const problems: string[] = [...early];

  let secret = raw.TURN_SECRET;
  if (raw.TURN_SECRET && raw.TURN_SECRET_FILE)
    problems.push('TURN_SECRET and TURN_SECRET_FILE: set only one');
  if (!secret && raw.TURN_SECRET_FILE) {
    try {
      // Secrets mounted from files usually end with a newline that is not part of the secret.
      secret = readFile(raw.TURN_SECRET_FILE).replace(/\r?\n$/, '');
    } catch (err) {
      problems.push(
        `TURN_SECRET_FILE=${JSON.stringify(raw.TURN_SECRET_FILE)}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      );
    }
  }
  if (!secret) {
    if (!raw.TURN_SECRET_FILE)
      problems.push(
        'TURN_SECRET=(unset): required (or TURN_SECRET_FILE), the secret shared with the signalling sidecars',
      );
    else if (secret === '') problems.push('TURN_SECRET_FILE: the file is empty');
  } else {
    // The sidecars check their copy with the same rule (coturn trims config values: see common/).
    problems.push(...turnSecretProblems(secret));
  }

  if (!raw.TURN_REALM || !/^[A-Za-z0-9.-]{1,128}$/.test(raw.TURN_REALM)) {
    problems.push(`TURN_REALM=${JSON.stringify(raw.TURN_REALM)}: must be letters, digits, dots and dashes`);
  }
  if (raw.TURN_MIN_PORT > raw.TURN_MAX_PORT)
    problems.push(`TURN_MIN_PORT=${raw.TURN_MIN_PORT}: must be ≤ TURN_MAX_PORT (${raw.TURN_MAX_PORT})`);
  const relayRange = (p: number) => p >= raw.TURN_MIN_PORT && p <= raw.TURN_MAX_PORT;
  if (relayRange(raw.TURN_LISTEN_PORT))
    problems.push(`TURN_LISTEN_PORT=${raw.TURN_LISTEN_PORT}: lies inside the relay port range`);

  let tls: TurnConfig['tls'];
  if (Boolean(raw.TURN_TLS_CERT_FILE) !== Boolean(raw.TURN_TLS_KEY_FILE)) {
    problems.push('TURN_TLS_CERT_FILE and TURN_TLS_KEY_FILE: set both (TLS listener) or neither');
  } else if (raw.TURN_TLS_CERT_FILE && raw.TURN_TLS_KEY_FILE) {
    tls = { port: raw.TURN_TLS_PORT, certFile: raw.TURN_TLS_CERT_FILE, keyFile: raw.TURN_TLS_KEY_FILE };
    // coturn only warns about a missing certificate and then runs without TLS: turns: URLs would fail
    // silently, so refuse to start instead.
    for (const [name, file] of [
      ['TURN_TLS_CERT_FILE', tls.certFile],
      ['TURN_TLS_KEY_FILE', tls.keyFile],
    ] as const) {
      if (!isCleanAbsolutePath(file))
        problems.push(`${name}=${JSON.stringify(file)}: must be an absolute, normalised path`);
      else if (kind(file) !== 'file' || !readable(file))
        problems.push(`${name}=${JSON.stringify(file)}: not a readable file (mount the TLS Secret)`);
    }
    if (raw.TURN_TLS_PORT === raw.TURN_LISTEN_PORT)
      problems.push(`TURN_TLS_PORT=${raw.TURN_TLS_PORT}: must differ from TURN_LISTEN_PORT`);
    if (relayRange(raw.TURN_TLS_PORT))
      problems.push(`TURN_TLS_PORT=${raw.TURN_TLS_PORT}: lies inside the relay port range`);
  }

  const allowedPeers = cidrList('TURN_ALLOWED_PEER_CIDRS', raw.TURN_ALLOWED_PEER_CIDRS, problems);
  const deniedPeers = cidrList('TURN_DENIED_PEER_CIDRS', raw.TURN_DENIED_PEER_CIDRS, problems);
  const serviceCidrs = cidrList('TURN_SERVICE_CIDR', raw.TURN_SERVICE_CIDR, problems);
  // Allowed ranges win over denied ones in coturn, so an allowed range that touches loopback, link-local,
  // metadata or the Service network would silently reopen it: refuse such a config outright.
  for (const clash of allowedPeerClashes(allowedPeers, serviceCidrs))
    problems.push(`TURN_ALLOWED_PEER_CIDRS: ${clash}`);

  for (const denied of deniedPeers) {
    const winner = allowedPeers.find((a) => overlaps(a, denied));
    if (winner)
      problems.push(
        `TURN_DENIED_PEER_CIDRS: ${denied.text} overlaps allowed ${winner.text}; coturn lets allowed ranges win, so it would not be refused`,
      );
  }

  for (const [name, value] of [
    ['TURN_EXTERNAL_IP', raw.TURN_EXTERNAL_IP],
    ['TURN_PRIVATE_IP', raw.TURN_PRIVATE_IP],
  ] as const) {
    if (value && !ipFamily(value)) problems.push(`${name}=${JSON.stringify(value)}: must be an IP address`);
    const unusable = value && ipFamily(value) ? unusableRelayAddress(value) : undefined;
    if (unusable) problems.push(`${name}=${value}: is ${unusable}, not an address a relay can use`);
  }
  if (
    raw.TURN_EXTERNAL_IP &&
    raw.TURN_PRIVATE_IP &&
    ipFamily(raw.TURN_EXTERNAL_IP) !== ipFamily(raw.TURN_PRIVATE_IP)
  ) {
    problems.push('TURN_EXTERNAL_IP and TURN_PRIVATE_IP: must be the same address family');
  }

  let stunServer: TurnConfig['stunServer'];
  if (raw.TURN_STUN_SERVER) {
    stunServer = parseHostPort(raw.TURN_STUN_SERVER);
    if (!stunServer)
      problems.push(`TURN_STUN_SERVER=${JSON.stringify(raw.TURN_STUN_SERVER)}: must be host[:port]`);
  }
  if (raw.NODE_NAME && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(raw.NODE_NAME)) {
    problems.push(`NODE_NAME=${JSON.stringify(raw.NODE_NAME)}: not a Kubernetes node name`);
  }
  if (raw.TURN_EXPORTER_HOST && !ipFamily(raw.TURN_EXPORTER_HOST))
    problems.push(`TURN_EXPORTER_HOST=${JSON.stringify(raw.TURN_EXPORTER_HOST)}: must be an IP address`);
  if (raw.TURN_METRICS && raw.TURN_EXPORTER_PORT === raw.TURN_METRICS_PORT)
    problems.push(`TURN_EXPORTER_PORT=${raw.TURN_EXPORTER_PORT}: must differ from TURN_METRICS_PORT`);
  for (const [name, p] of [
    ['TURN_EXPORTER_PORT', raw.TURN_EXPORTER_PORT],
    ['TURN_METRICS_PORT', raw.TURN_METRICS ? raw.TURN_METRICS_PORT : 0],
  ] as const) {
    if (p !== 0 && (p === raw.TURN_LISTEN_PORT || p === tls?.port || relayRange(p)))
      problems.push(`${name}=${p}: collides with the TURN listener, TLS listener or relay range`);
  }
  const runDir = raw.TURN_RUN_DIR ?? '';
  if (!isCleanAbsolutePath(runDir) || runDir === '/')
    problems.push(
      `TURN_RUN_DIR=${JSON.stringify(runDir)}: must be an absolute, normalised path below / (no . or .. segments)`,
    );
  else if (kind(runDir) !== undefined && kind(runDir) !== 'directory')
    problems.push(`TURN_RUN_DIR=${JSON.stringify(runDir)}: exists and is not a directory`);

  if (problems.length > 0) throw new ConfigError(problems);
  const metricsHost = raw.TURN_EXPORTER_HOST ?? WILDCARD_HOST;

  return {
    secret: secret ?? '',
    realm: raw.TURN_REALM ?? 'pixelstream',
    listenPort: raw.TURN_LISTEN_PORT,
    tls,
    minPort: raw.TURN_MIN_PORT,
    maxPort: raw.TURN_MAX_PORT,
    allowedPeers,
    deniedPeers,
    serviceCidrs,
    externalIp: raw.TURN_EXTERNAL_IP,
    privateIp: raw.TURN_PRIVATE_IP,
    nodeName: raw.NODE_NAME,
    stunServer,
    metrics: raw.TURN_METRICS ? { host: metricsHost, port: raw.TURN_METRICS_PORT } : undefined,
    exporter: raw.TURN_EXPORTER_PORT === 0 ? undefined : { host: metricsHost, port: raw.TURN_EXPORTER_PORT },
    userQuota: raw.TURN_USER_QUOTA,
    totalQuota: raw.TURN_TOTAL_QUOTA,
    runDir: raw.TURN_RUN_DIR ?? '/tmp/turn',
    kube:
      raw.KUBERNETES_SERVICE_HOST && raw.NODE_NAME
        ? {
            host: raw.KUBERNETES_SERVICE_HOST,
            port: raw.KUBERNETES_SERVICE_PORT,
            tokenFile: raw.TURN_KUBE_TOKEN_FILE ?? '',
            caFile: raw.TURN_KUBE_CA_FILE ?? '',
          }
        : undefined,
    logLevel: raw.LOG_LEVEL,
    turnserverBin: raw.TURNSERVER_BIN ?? 'turnserver',
  };
}

// Keeps the inferred type of the shape in sync with TurnConfig's raw inputs (documentation aid).
export type TurnEnv = EnvValues<typeof shape>;
