// The router's one typed configuration, read from the environment once at start-up. Every default lives in
// the shape below; a bad environment stops the process listing every problem (exit 2).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  MAX_RESERVATION_TTL_SECONDS,
  MAX_RESUME_GRACE_SECONDS,
  LOG_LEVELS,
  envEnum,
  envHost,
  envInt,
  envList,
  envPort,
  envSecret,
  envString,
  parseEnv,
  routerTokenProblems,
} from '../common/index.js';
import { labelSelectorProblems } from './label-selector.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const shape = {
  ROUTER_PORT: envPort(8080),
  ROUTER_HOST: envHost('0.0.0.0'),
  /** 0 = ephemeral; the router logs the bound port. */
  METRICS_PORT: envPort(9000),
  ROUTER_TOKEN: envSecret(),
  DISCOVERY: envEnum(['static', 'kubernetes'] as const, 'static'),
  SIDECAR_URLS: envList(),
  POD_NAMESPACE: envString(),
  POD_SELECTOR: envString('app.kubernetes.io/component=streamer'),
  SIDECAR_PLAYER_PORT: envPort(8080, false),
  QUEUE_MAX: envInt(200, 0, 100_000),
  QUEUE_TIMEOUT_SECONDS: envInt(300, 1, 86_400),
  RESERVATION_TTL_SECONDS: envInt(15, 1, MAX_RESERVATION_TTL_SECONDS),
  RESUME_GRACE_SECONDS: envInt(60, 0, MAX_RESUME_GRACE_SECONDS),
  PLAYER_PAGE_DIR: envString(path.join(repoRoot, 'player', 'build')),
  LOG_LEVEL: envEnum(LOG_LEVELS, 'info'),
  /** How often queued players are retried when nothing else (a release, a discovery event) wakes the queue. */
  QUEUE_POLL_MS: envInt(1000, 50, 60_000),
  /** A sidecar that does not answer a reservation request within this is skipped and marked suspect. */
  RESERVE_TIMEOUT_MS: envInt(2000, 50, 60_000),
  /** How long a suspect sidecar (timed out, refused) is tried last. */
  SUSPECT_SECONDS: envInt(10, 0, 3600),
  /** Concurrent allocation-round reservation requests per replica (bounds fan-out when many players arrive at
   * once); a returning player's resume request is not counted. */
  RESERVE_CONCURRENCY: envInt(16, 1, 1024),
  /** After SIGTERM: not ready at once, but still serving this long, until the ingress stops sending players. */
  SHUTDOWN_DELAY_SECONDS: envInt(5, 0, 120),
  /** …then piped players keep playing at most this long before they are sent to another replica. */
  SHUTDOWN_DRAIN_SECONDS: envInt(20, 0, 3600),
  /** Allocation attempts (arrivals, retries after a failed pod) one client address may start per second; 0 = off. */
  CLIENT_ATTEMPTS_PER_SECOND: envInt(5, 0, 100_000),
  /** …and at once, after being idle. */
  CLIENT_ATTEMPTS_BURST: envInt(30, 1, 100_000),
  /** Proxies in front of the router that append to X-Forwarded-For (the ingress: 1; reached directly: 0). */
  TRUSTED_PROXY_HOPS: envInt(1, 0, 10),
};

/**
 * Where DISCOVERY=kubernetes finds its API server: exactly what the config check allowed, never a
 * ~/.kube/config that happens to lie around. In a pod the service environment (and its mounted token) wins.
 */
export type KubeApiSource = { inCluster: true } | { kubeconfig: string };

export interface RouterConfig {
  port: number;
  host: string;
  metricsPort: number;
  token: string;
  discovery: 'static' | 'kubernetes';
  /** Set with DISCOVERY=kubernetes. */
  kubeApi?: KubeApiSource;
  sidecarUrls: string[];
  podNamespace: string;
  podSelector: string;
  sidecarPlayerPort: number;
  queueMax: number;
  queueTimeoutMs: number;
  reservationTtlSeconds: number;
  resumeGraceSeconds: number;
  playerPageDir: string;
  logLevel: (typeof LOG_LEVELS)[number];
  queuePollMs: number;
  reserveTimeoutMs: number;
  suspectMs: number;
  reserveConcurrency: number;
  shutdownDelayMs: number;
  shutdownDrainMs: number;
  clientAttemptsPerSecond: number;
  clientAttemptsBurst: number;
  trustedProxyHops: number;
}

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    // A path, query or fragment would be silently dropped: reservations and the player socket use their own.
    return (
      (u.protocol === 'http:' || u.protocol === 'https:') &&
      u.username === '' &&
      u.password === '' &&
      u.pathname === '/' &&
      u.search === '' &&
      u.hash === ''
    );
  } catch {
    return false;
  }
}

/**
 * Cross-field rules, checked on the raw environment so they are reported together with per-variable
 * problems (a bad ROUTER_PORT must not hide a missing ROUTER_TOKEN).
 */
function crossFieldProblems(env: Record<string, string | undefined>): string[] {
  const value = (k: string) => (env[k]?.trim() ? env[k].trim() : undefined);
  const problems: string[] = [];
  const token = value('ROUTER_TOKEN');
  if (!token) problems.push('ROUTER_TOKEN=(unset): required (the same secret the sidecars hold)');
  else problems.push(...routerTokenProblems(env.ROUTER_TOKEN ?? ''));
  const discovery = value('DISCOVERY') ?? 'static';
  if (discovery === 'static') {
    const urls = (value('SIDECAR_URLS') ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean);
    if (urls.length === 0)
      problems.push(
        'SIDECAR_URLS=(unset): DISCOVERY=static needs a comma list of http://host:port sidecar URLs',
      );
    for (const u of urls)
      if (!isHttpUrl(u))
        problems.push(`SIDECAR_URLS: ${JSON.stringify(u)} is not an http(s)://host:port URL`);
  } else if (discovery === 'kubernetes') {
    if (!value('POD_NAMESPACE'))
      problems.push(
        'POD_NAMESPACE=(unset): DISCOVERY=kubernetes needs the namespace to watch (downward API)',
      );
    if (!kubeApiSource(env))
      problems.push(
        'KUBECONFIG=(unset), KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT=(unset): DISCOVERY=kubernetes ' +
          'needs an API server: run in a pod (Kubernetes sets KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT ' +
          'and mounts the service account token) or set KUBECONFIG to a kubeconfig file',
      );
    for (const p of labelSelectorProblems(value('POD_SELECTOR') ?? '')) problems.push(`POD_SELECTOR: ${p}`);
  }
  const routerPort = value('ROUTER_PORT') ?? '8080';
  const metricsPort = value('METRICS_PORT') ?? '9000';
  if (metricsPort !== '0' && metricsPort === routerPort)
    problems.push(`METRICS_PORT=${metricsPort}: must differ from ROUTER_PORT`);
  return problems;
}

/** In-cluster when Kubernetes set its service variables, else the KUBECONFIG file; undefined: neither. */
function kubeApiSource(env: Record<string, string | undefined>): KubeApiSource | undefined {
  const value = (k: string) => env[k]?.trim() || undefined;
  if (value('KUBERNETES_SERVICE_HOST') && value('KUBERNETES_SERVICE_PORT')) return { inCluster: true };
  const kubeconfig = value('KUBECONFIG');
  return kubeconfig ? { kubeconfig } : undefined;
}

/** Parses the router's environment; throws ConfigError listing every problem. */
export function loadRouterConfig(env: Record<string, string | undefined>): RouterConfig {
  const cross = crossFieldProblems(env);
  let raw: ReturnType<typeof parseEnv<typeof shape>>;
  try {
    raw = parseEnv(shape, env, () => cross);
  } catch (err) {
    if (err instanceof ConfigError && !cross.every((p) => err.problems.includes(p)))
      throw new ConfigError([...err.problems, ...cross]);
    throw err;
  }
  return {
    port: raw.ROUTER_PORT,
    host: raw.ROUTER_HOST,
    metricsPort: raw.METRICS_PORT,
    token: raw.ROUTER_TOKEN ?? '',
    discovery: raw.DISCOVERY,
    kubeApi: raw.DISCOVERY === 'kubernetes' ? kubeApiSource(env) : undefined,
    sidecarUrls: raw.SIDECAR_URLS.map((u) => u.replace(/\/+$/, '')),
    podNamespace: raw.POD_NAMESPACE ?? '',
    podSelector: raw.POD_SELECTOR ?? '',
    sidecarPlayerPort: raw.SIDECAR_PLAYER_PORT,
    queueMax: raw.QUEUE_MAX,
    queueTimeoutMs: raw.QUEUE_TIMEOUT_SECONDS * 1000,
    reservationTtlSeconds: raw.RESERVATION_TTL_SECONDS,
    resumeGraceSeconds: raw.RESUME_GRACE_SECONDS,
    playerPageDir: raw.PLAYER_PAGE_DIR ?? '',
    logLevel: raw.LOG_LEVEL,
    queuePollMs: raw.QUEUE_POLL_MS,
    reserveTimeoutMs: raw.RESERVE_TIMEOUT_MS,
    suspectMs: raw.SUSPECT_SECONDS * 1000,
    reserveConcurrency: raw.RESERVE_CONCURRENCY,
    shutdownDelayMs: raw.SHUTDOWN_DELAY_SECONDS * 1000,
    shutdownDrainMs: raw.SHUTDOWN_DRAIN_SECONDS * 1000,
    clientAttemptsPerSecond: raw.CLIENT_ATTEMPTS_PER_SECOND,
    clientAttemptsBurst: raw.CLIENT_ATTEMPTS_BURST,
    trustedProxyHops: raw.TRUSTED_PROXY_HOPS,
  };
}
