// Renders coturn's turnserver.conf from the checked config and the discovered addresses. Pure: the same
// inputs always give the same text, so the tests read exactly what production runs.
import { toCoturnRange } from '../common/cidr.js';
import { hasControlChar } from '../common/control-chars.js';
import type { TurnConfig } from './config.js';
import { peerPolicy } from '../common/peer-policy.js';

export interface RelayAddresses {
  /** The address clients reach (advertised in XOR-RELAYED-ADDRESS). */
  publicIp: string;
  /** The node-local address behind a 1:1 NAT; relay sockets bind here. Undefined when not known. */
  privateIp?: string | undefined;
}

export interface RuntimePaths {
  /** Writable directory for coturn's pid file and its (unused but mandatory) SQLite user database. */
  runDir: string;
}

/** Nonce lifetime: long enough for an ICE session's refreshes, short enough to limit replay (seconds). */
const STALE_NONCE_SECONDS = 600;
/** Upper bound on an allocation's lifetime without refresh; browsers refresh every few minutes. */
const MAX_ALLOCATE_LIFETIME_SECONDS = 3600;

/**
 * coturn reports refused credentials and peers only in verbose mode, so it always runs verbose and the
 * entrypoint turns those lines into coded warnings (routine session lines become debug); trace adds
 * coturn's per-packet logging.
 */
function verbosity(level: TurnConfig['logLevel']): string[] {
  return [level === 'trace' ? 'Verbose' : 'verbose'];
}

/**
 * coturn's exporter listens on every interface unless told an address. With hostNetwork that is every
 * address of the node, so a configured host is passed on (coturn's `prometheus-address`; main.ts refuses a
 * build without it rather than bind everywhere).
 */
function prometheusLines(metrics: NonNullable<TurnConfig['metrics']>): string[] {
  const address = isWildcard(metrics.host) ? [] : [`prometheus-address=${metrics.host}`];
  return ['prometheus', `prometheus-port=${metrics.port}`, ...address];
}

/** True for the any-address of either family: nothing to tell coturn. */
export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

export function renderTurnserverConf(
  config: TurnConfig,
  addresses: RelayAddresses,
  paths: RuntimePaths,
): string {
  const { publicIp, privateIp } = addresses;
  const nat = privateIp !== undefined && privateIp !== publicIp;
  const policy = peerPolicy(config);
  const lines: string[] = [
    '# Rendered by the pixelstream TURN entrypoint at start-up; edit the environment, not this file.',
    '',
    '# Listeners: UDP and TCP on one port; relays use UDP only (browsers never ask for TCP relays).',
    `listening-port=${config.listenPort}`,
    ...(config.tls
      ? [
          `tls-listening-port=${config.tls.port}`,
          `cert=${config.tls.certFile}`,
          `pkey=${config.tls.keyFile}`,
          'no-dtls',
        ]
      : ['no-tls', 'no-dtls']),
    `min-port=${config.minPort}`,
    `max-port=${config.maxPort}`,
    'no-tcp-relay',
    '',
    '# Addresses: relay sockets bind the node address; clients are told the public one (1:1 NAT aware).',
    ...(privateIp !== undefined ? [`relay-ip=${privateIp}`] : []),
    nat ? `external-ip=${publicIp}/${privateIp}` : `external-ip=${publicIp}`,
    '',
    '# Authentication: time-limited credentials derived from the shared secret (TURN REST API scheme).',
    'use-auth-secret',
    `static-auth-secret=${config.secret}`,
    `realm=${config.realm}`,
    'fingerprint',
    `stale-nonce=${STALE_NONCE_SECONDS}`,
    `max-allocate-lifetime=${MAX_ALLOCATE_LIFETIME_SECONDS}`,
    ...(config.userQuota > 0 ? [`user-quota=${config.userQuota}`] : []),
    ...(config.totalQuota > 0 ? [`total-quota=${config.totalQuota}`] : []),
    '',
    '# Surface: no admin CLI, no version banner, no NAT-behaviour discovery or legacy STUN (amplification).',
    'no-cli',
    'no-software-attribute',
    'no-rfc5780',
    'no-stun-backward-compatibility',
    'response-origin-only-with-rfc5780',
    '',
    '# Relay hardening: refuse every peer below; allowed-peer-ip lines are exceptions (pod networks).',
    'no-multicast-peers',
    ...policy.allowed.map((c) => `allowed-peer-ip=${toCoturnRange(c)}`),
    ...policy.denied.map((r) => `denied-peer-ip=${toCoturnRange(r.range)}`),
    '',
    '# Process: foreground logging to stdout; state files in a writable directory.',
    'log-file=stdout',
    'simple-log',
    ...verbosity(config.logLevel),
    `pidfile=${paths.runDir}/turnserver.pid`,
    `userdb=${paths.runDir}/turndb`,
    ...(config.metrics ? prometheusLines(config.metrics) : []),
  ];
  // The config check refuses control characters in every variable; this makes sure no other path (a
  // discovered address, a future variable) can ever add a directive either.
  const bad = lines.find((l) => hasControlChar(l));
  if (bad !== undefined)
    throw new Error(
      `refusing to render turnserver.conf: a control character in ${JSON.stringify(bad.split('=')[0])}`,
    );
  return `${lines.join('\n')}\n`;
}
