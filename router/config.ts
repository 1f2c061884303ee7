// The router's one typed configuration, read from the environment once at start-up. Every default lives in
// the shape below; a bad environment stops the process listing every problem (exit 2).
import {
  SESSION_ENV,
  about,
  checked,
  envEnum,
  envHost,
  envInt,
  envList,
  envPort,
  envRequiredSecret,
  envString,
  parseEnv,
  portClashes,
  routerTokenProblems,
  ruleFor,
  type Env,
  type LOG_LEVELS,
  envQueueTimeoutSeconds,
} from '../common/index.js';
import { labelSelectorProblems } from './label-selector.js';
import { COOKIE_NAME, SESSION_COOKIE } from './session-cookie.js';

const shape = {
  ROUTER_PORT: envPort(8080),
  ROUTER_HOST: envHost('0.0.0.0'),
  /** 0 = ephemeral; the router logs the bound port. */
  METRICS_PORT: envPort(9000),
  ...SESSION_ENV,
  ROUTER_TOKEN: envRequiredSecret('the same secret the sidecars hold', routerTokenProblems),
  DISCOVERY: envEnum(['static', 'kubernetes'] as const, 'static'),
  SIDECAR_URLS: envList([], (u) => (isHttpUrl(u) ? undefined : 'is not an http(s)://host:port URL')),
  POD_NAMESPACE: envString(),
  // Where DISCOVERY=kubernetes finds its API server (see KubeApiSource).
  KUBERNETES_SERVICE_HOST: envString(),
  KUBERNETES_SERVICE_PORT: envString(),
  KUBECONFIG: envString(),
  POD_SELECTOR: envString('app.kubernetes.io/component=streamer'),
  SIDECAR_PLAYER_PORT: envPort(8080, false),
  QUEUE_MAX: envInt(200, 0, 100_000),
  QUEUE_TIMEOUT_SECONDS: envQueueTimeoutSeconds(86_400),
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
  /** The resume cookie's name; routers of different pools behind one host need different names. */
  SESSION_COOKIE_NAME: checked(envString(SESSION_COOKIE), (v) =>
    COOKIE_NAME.test(v) ? undefined : 'must be 1–64 letters, digits, "_" or "-"',
  ),
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
  sessionCookieName: string;
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

/** In-cluster when Kubernetes set its service variables, else the KUBECONFIG file; undefined: neither. */
function kubeApiSource(
  c: Pick<Parsed, 'KUBERNETES_SERVICE_HOST' | 'KUBERNETES_SERVICE_PORT' | 'KUBECONFIG'>,
) {
  if (c.KUBERNETES_SERVICE_HOST && c.KUBERNETES_SERVICE_PORT) return { inCluster: true } as const;
  const kubeconfig = c.KUBECONFIG?.trim();
  return kubeconfig ? { kubeconfig } : undefined;
}

type Parsed = ReturnType<typeof parseEnv<typeof shape>>;
const rule = ruleFor(shape);

/** Rules between variables; each runs when the variables it names parsed (see parseEnv). */
const RULES = [
  rule(['DISCOVERY', 'SIDECAR_URLS'], (c) =>
    c.DISCOVERY === 'static' && c.SIDECAR_URLS.length === 0
      ? about('SIDECAR_URLS', ['DISCOVERY=static needs a comma list of http://host:port sidecar URLs'])
      : [],
  ),
  rule(['DISCOVERY', 'POD_NAMESPACE'], (c) =>
    c.DISCOVERY === 'kubernetes' && !c.POD_NAMESPACE
      ? about('POD_NAMESPACE', ['DISCOVERY=kubernetes needs the namespace to watch (downward API)'])
      : [],
  ),
  rule(['DISCOVERY', 'KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT', 'KUBECONFIG'], (c) =>
    c.DISCOVERY === 'kubernetes' && kubeApiSource(c) === undefined
      ? about('KUBECONFIG', [
          'DISCOVERY=kubernetes needs an API server: run in a pod (Kubernetes sets KUBERNETES_SERVICE_HOST and ' +
            'KUBERNETES_SERVICE_PORT and mounts the service account token) or set KUBECONFIG to a kubeconfig file',
        ])
      : [],
  ),
  rule(['DISCOVERY', 'POD_SELECTOR'], (c) =>
    c.DISCOVERY === 'kubernetes' ? about('POD_SELECTOR', labelSelectorProblems(c.POD_SELECTOR)) : [],
  ),
  rule(['ROUTER_PORT', 'METRICS_PORT'], (c) => portClashes(c, ['ROUTER_PORT', 'METRICS_PORT'])),
];

/** Parses the router's environment; throws ConfigError listing every problem. */
export function loadRouterConfig(env: Env): RouterConfig {
  const raw = parseEnv(shape, env, RULES);
  return {
    port: raw.ROUTER_PORT,
    host: raw.ROUTER_HOST,
    metricsPort: raw.METRICS_PORT,
    token: raw.ROUTER_TOKEN,
    discovery: raw.DISCOVERY,
    kubeApi: raw.DISCOVERY === 'kubernetes' ? kubeApiSource(raw) : undefined,
    sidecarUrls: raw.SIDECAR_URLS.map((u) => u.replace(/\/+$/, '')),
    podNamespace: raw.POD_NAMESPACE ?? '',
    podSelector: raw.POD_SELECTOR,
    sidecarPlayerPort: raw.SIDECAR_PLAYER_PORT,
    queueMax: raw.QUEUE_MAX,
    queueTimeoutMs: raw.QUEUE_TIMEOUT_SECONDS * 1000,
    reservationTtlSeconds: raw.RESERVATION_TTL_SECONDS,
    resumeGraceSeconds: raw.RESUME_GRACE_SECONDS,
    playerPageDir: raw.PLAYER_PAGE_DIR,
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
    sessionCookieName: raw.SESSION_COOKIE_NAME,
  };
}
