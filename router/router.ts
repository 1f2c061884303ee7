// Assembles one router replica: discovery, allocator, HTTP page/health server with the player WebSocket
// upgrade, liveness pings and the metrics server. `startRouter` is what main.ts, tests and the benchmark use.
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { WarningLimiter, createLogger, type Logger } from '../common/index.js';
import { refuseUpgrade } from '../common/upgrade-refusal.js';
import { Allocator } from './allocator.js';
import type { RouterConfig } from './config.js';
import type { Discovery } from './endpoints.js';
import { createApp, hasPlayerPage } from './http.js';
import { RouterMetrics, startMetricsServer } from './metrics.js';
import { PlayerSession, type SessionContext } from './player-session.js';
import { SessionRegistry } from './session-registry.js';
import { ReservationClient } from './reservation-client.js';
import { SessionCookies } from './session-cookie.js';
import { StaticDiscovery } from './static-discovery.js';
import { checkUpgrade } from './upgrade-check.js';
import { ClientLimiter, clientAddress } from './client-limiter.js';

export interface Router {
  readonly port: number;
  /** The bound metrics port (METRICS_PORT=0 binds an ephemeral one). */
  readonly metricsPort: number;
  readonly metrics: RouterMetrics;
  /** Players waiting for a pod right now. */
  waiting(): number;
  /**
   * Graceful stop (SIGTERM): not ready at once but still serving for `shutdownDelayMs`, then stops accepting
   * and turns waiting players away; piped players keep playing until they leave or `shutdownDrainMs` more
   * have passed, then the rest are dropped as by `close`. Resolves once everything is closed.
   */
  shutdown(): Promise<void>;
  /** Stops at once: turns waiting players away, drops piped ones (they resume through another replica). */
  close(): Promise<void>;
}

/** Knobs not worth an environment variable; tests shorten them. */
export interface RouterTuning {
  /** WebSocket ping to every player this often; one missed pong and the player is dropped. */
  clientPingMs?: number;
  /** Largest WebSocket message either side may send (the sidecar enforces the same cap). */
  maxPayload?: number;
  holdMs?: number;
  upstreamOpenMs?: number;
  /** Replace discovery (tests); otherwise built from config. */
  discovery?: Discovery;
  /** Collect process metrics (off when many routers share a process). */
  processMetrics?: boolean;
  /** A client must send its request headers in full within this (silent and slowloris clients). */
  headersTimeoutMs?: number;
  /** …and its whole request (a `POST /session` body) within this. */
  requestTimeoutMs?: number;
}

const DEFAULTS = {
  // Browsers answer protocol pings by themselves; 30 s matches Epic's frontend keepalive.
  clientPingMs: 30_000,
  maxPayload: 256 * 1024,
  holdMs: 3_000,
  upstreamOpenMs: 5_000,
  // A browser sends its upgrade headers in one packet; 10 s is generous even on a bad mobile link.
  headersTimeoutMs: 10_000,
  // A `POST /session` body is a few hundred bytes: 30 s covers the slowest link.
  requestTimeoutMs: 30_000,
};

/** How often Node looks for connections past those deadlines; its default (30 s) would quadruple the wait. */
const TIMEOUT_CHECK_MS = 1_000;

export async function createDiscovery(config: RouterConfig, log: Logger): Promise<Discovery> {
  if (config.discovery === 'static') return new StaticDiscovery(config.sidecarUrls);
  const { KubernetesDiscovery } = await import('./kubernetes-discovery.js');
  if (!config.kubeApi) throw new Error('DISCOVERY=kubernetes without an API server (config not checked?)');
  return new KubernetesDiscovery(
    {
      namespace: config.podNamespace,
      selector: config.podSelector,
      port: config.sidecarPlayerPort,
      api: config.kubeApi,
    },
    log,
  );
}

export async function startRouter(
  config: RouterConfig,
  logger?: Logger,
  tuning: RouterTuning = {},
): Promise<Router> {
  const log = logger ?? createLogger('router', config.logLevel);
  const t = { ...DEFAULTS, ...tuning };
  const metrics = new RouterMetrics(tuning.processMetrics ?? true);
  const discovery = tuning.discovery ?? (await createDiscovery(config, log));
  const client = new ReservationClient(config.token, config.reserveTimeoutMs);
  const allocator = new Allocator(
    discovery,
    client,
    {
      queueMax: config.queueMax,
      queueTimeoutMs: config.queueTimeoutMs,
      pollMs: config.queuePollMs,
      suspectMs: config.suspectMs,
      concurrency: config.reserveConcurrency,
      reservationTtlSeconds: config.reservationTtlSeconds,
      resumeGraceSeconds: config.resumeGraceSeconds,
    },
    metrics,
    log,
  );
  /** serving → draining (not ready, still accepting) → stopping (no new players) → closed. */
  let phase: 'serving' | 'draining' | 'stopping' | 'closed' = 'serving';
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: t.maxPayload,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const upgradeCookies = new WeakMap<IncomingMessage, string>();
  wss.on('headers', (headers, req) => {
    const cookie = upgradeCookies.get(req);
    if (cookie) headers.push(`Set-Cookie: ${cookie}`);
  });
  // A flood of refused upgrades must not become a flood of log lines.
  const refusals = new WarningLimiter();
  wss.on('wsClientError', (err, socket) => {
    log.warn({ code: 'BAD_UPGRADE', err: err.message }, 'malformed WebSocket upgrade');
    socket.destroy();
  });
  const ctx: SessionContext = {
    allocator,
    client,
    cookies: new SessionCookies(config.token, config.sessionCookieName),
    discovery,
    metrics,
    log,
    wss,
    upgradeCookies,
    sessions: new SessionRegistry(),
    limiter: new ClientLimiter(config.clientAttemptsPerSecond, config.clientAttemptsBurst),
    options: {
      queueTimeoutMs: config.queueTimeoutMs,
      reservationTtlSeconds: config.reservationTtlSeconds,
      resumeGraceSeconds: config.resumeGraceSeconds,
      maxPayload: t.maxPayload,
      holdMs: t.holdMs,
      upstreamOpenMs: t.upstreamOpenMs,
    },
  };

  if (!hasPlayerPage(config.playerPageDir))
    log.warn({ dir: config.playerPageDir }, 'player page not built; serving a placeholder at /');
  const app = createApp({
    playerPageDir: config.playerPageDir,
    ready: () => discovery.synced && phase === 'serving',
    cookies: ctx.cookies,
    log,
  });
  const server = http.createServer(
    {
      headersTimeout: t.headersTimeoutMs,
      requestTimeout: t.requestTimeoutMs,
      connectionsCheckingInterval: TIMEOUT_CHECK_MS,
    },
    app,
  );
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    log.warn({ code: 'BAD_REQUEST', err: err.code ?? err.message }, 'malformed or slow HTTP request dropped');
    if (!socket.writable) return void socket.destroy();
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    // Destroy once written: the server is half-open by default, and a client that never closes its side
    // would otherwise keep the socket forever.
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`, () => socket.destroy());
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const client = clientAddress(
      req.headers['x-forwarded-for'],
      req.socket.remoteAddress,
      config.trustedProxyHops,
    );
    const problem =
      phase === 'stopping' || phase === 'closed'
        ? { code: 'shutting_down', status: 503, message: 'router is shutting down' }
        : (checkUpgrade(req) ??
          (ctx.limiter.take(client) > 0
            ? {
                code: 'rate_limited',
                status: 429,
                message: 'too many connection attempts; try again shortly',
              }
            : undefined));
    if (problem) {
      const verdict = refusals.check(`${problem.code}:${client}`);
      if (verdict.allow)
        log.warn(
          {
            suppressed: verdict.suppressed,
            code: problem.code.toUpperCase(),
            reason: problem.message,
            remote: req.socket.remoteAddress,
            client,
            url: req.url?.slice(0, 200),
          },
          'WebSocket upgrade refused',
        );
      refuseUpgrade(socket, problem.status, problem.code, problem.message);
      return;
    }
    void new PlayerSession(ctx, req, socket, head, client).start().catch((err: unknown) => {
      log.error({ err }, 'player session failed to start');
      socket.destroy();
    });
  });

  const ping = setInterval(() => {
    for (const s of ctx.sessions) {
      const ws = s.socketForPing;
      if (!ws || ws.readyState !== ws.OPEN) continue;
      if (!s.alive) {
        log.warn(
          { session: s.id, code: 'PLAYER_SILENT' },
          'player stopped answering pings; dropping its socket',
        );
        ws.terminate();
        continue;
      }
      s.alive = false;
      ws.ping();
    }
  }, t.clientPingMs);
  ping.unref();

  await discovery.start();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const metricsServer = await startMetricsServer(metrics, config.metricsPort, config.host);
  const port = (server.address() as AddressInfo).port;
  const metricsPort = (metricsServer.address() as AddressInfo).port;
  log.info(
    { port, metricsPort, discovery: config.discovery, sidecars: discovery.endpoints().length },
    'listening',
  );

  let listenerClosed: Promise<void> | undefined;
  /** No new connections and no new players; sessions already piped carry on. */
  const stopAccepting = async () => {
    if (listenerClosed) return;
    if (phase === 'serving' || phase === 'draining') phase = 'stopping';
    // Resolves once every connection is gone, piped player sockets included.
    listenerClosed = new Promise<void>((r) => server.close(() => r()));
    server.closeIdleConnections();
    allocator.stop();
    await discovery.stop();
  };

  const close = async () => {
    if (phase === 'closed') return;
    phase = 'closed';
    clearInterval(ping);
    for (const s of [...ctx.sessions]) s.shutdown();
    await stopAccepting();
    const metricsClosed = new Promise<void>((r) => metricsServer.close(() => r()));
    // Keep-alive page and scrape connections would otherwise hold the listeners open.
    server.closeAllConnections();
    metricsServer.closeAllConnections();
    await Promise.all([listenerClosed, metricsClosed]);
    client.close();
  };

  let shuttingDown: Promise<void> | undefined;
  const shutdown = async () => {
    if (phase !== 'serving') return;
    phase = 'draining';
    log.info(
      { delayMs: config.shutdownDelayMs },
      'not ready; still serving until the ingress stops sending players here',
    );
    await sleep(config.shutdownDelayMs);
    if (phase !== 'draining') return;
    await stopAccepting();
    log.info(
      { sessions: ctx.sessions.size, drainMs: config.shutdownDrainMs },
      'stopped accepting; piped players keep playing until they leave or the drain ends',
    );
    const drained = await Promise.race([
      listenerClosed?.then(() => true),
      sleep(config.shutdownDrainMs).then(() => false),
    ]);
    if (!drained)
      log.info(
        { sessions: ctx.sessions.size },
        'drain over; dropping the remaining players (they resume through another replica)',
      );
    await close();
  };

  return {
    port,
    metricsPort,
    metrics,
    waiting: () => allocator.waiting,
    shutdown: () => (shuttingDown ??= shutdown()),
    close,
  };
}

/** A timer that never keeps the process alive on its own. */
function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
