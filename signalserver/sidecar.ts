// Composes the sidecar: registries and protocol hub, reservations, metrics, events and the four listeners.
// Exposes the status every other part of the kit reads (router, pod patcher, autoscaler via metrics).
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import { CLOSE, WarningLimiter, createLogger, type Logger, type SidecarStatus } from '../common/index.js';
import { isReady, podStatus } from './allocation.js';
import { podReadyClock } from './pod-ready-clock.js';
import type { SidecarConfig } from './config.js';
import { waitForIdle } from './drain.js';
import { DrainWaiters } from './drain-wait.js';
import { createEventSink } from './events.js';
import { createHttpApp } from './http.js';
import { logText } from './log-text.js';
import { peerConnectionOptions } from './ice-config.js';
import { closeServer, listen, playerServer, streamerServer, type ListenOptions } from './listeners.js';
import { SidecarMetrics } from './metrics.js';
import { startPodPatcher, type PodPatcherOptions } from './pod-patcher.js';
import { Reservations } from './reservations.js';
import { SignallingHub, type HubObserver } from './signalling.js';
import type { WebSocketServer } from 'ws';

export interface SidecarPorts {
  player: number;
  streamer: number;
  /** 0 when the SFU listener is disabled. */
  sfu: number;
  metrics: number;
}

export interface Sidecar {
  readonly ports: SidecarPorts;
  status(): SidecarStatus;
  on(event: 'change', listener: (s: SidecarStatus) => void): unknown;
  off(event: 'change', listener: (s: SidecarStatus) => void): unknown;
  /** Stops new sessions and waits for live ones to end or DRAIN_TIMEOUT_SECONDS. */
  drain(): Promise<void>;
  /** Closes every socket and listener. */
  close(): Promise<void>;
}

export interface SidecarOptions {
  /**
   * Keep the pod's allocation label, deletion cost and safe-to-evict marks in step with the status
   * (pod-patcher.ts). Inert outside a cluster. @default off (tests and embedded sidecars)
   */
  podPatcher?: PodPatcherOptions;
}

export async function startSidecar(
  config: SidecarConfig,
  logger?: Logger,
  options: SidecarOptions = {},
): Promise<Sidecar> {
  const log = logger ?? createLogger('signalserver', config.logLevel);
  const emitter = new EventEmitter<{ change: [SidecarStatus] }>();
  const metrics = new SidecarMetrics();
  const events = createEventSink(config.eventsSinkUrl, log, () => metrics.eventsDropped.inc());
  const reservations = new Reservations({
    ttlSeconds: config.reservationTtlSeconds,
    resumeSeconds: config.resumeGraceSeconds,
  });
  let draining = false;
  let last = '';
  const coldStart = podReadyClock((seconds) => metrics.podReady.observe(seconds));

  const observer: HubObserver = {
    message: (role, type) => metrics.message(role, type),
    rejection: (reason, role, detail, l) => {
      metrics.rejections.inc({ reason });
      // The detail may quote what the peer sent (an id it named): cut like any peer-controlled text.
      l.warn({ reason, role, detail: logText(detail) }, 'refused');
    },
    sessionStarted: (p, s) => {
      metrics.sessions.inc();
      if (p.session)
        events.emit('session.started', { sessionId: p.session.id, playerId: p.playerId, streamerId: s.id });
    },
    sessionEnded: (p, session, streamerId, reason, seconds) => {
      metrics.sessionDuration.observe(seconds);
      events.emit('session.ended', {
        sessionId: session.id,
        playerId: p.playerId,
        streamerId,
        reason,
        durationSeconds: seconds,
      });
    },
    answered: (seconds) => metrics.subscribeToAnswer.observe(seconds),
    streamerRegistered: (id) => events.emit('streamer.connected', { streamerId: id }),
    streamerGone: (id) => events.emit('streamer.disconnected', { streamerId: id }),
    // A processing function's result (or the code its session ended with), with the session it belongs to.
    processingEvent: (p, streamerId, kind, data) =>
      events.emit(kind === 'result' ? 'processing.result' : 'processing.ended', {
        sessionId: p.session?.id,
        playerId: p.playerId,
        streamerId,
        [kind === 'result' ? 'result' : 'ended']: data,
      }),
    change: () => changed(),
  };
  const hub = new SignallingHub(
    {
      maxPlayersPerStreamer: config.maxPlayersPerStreamer,
      legacyStreamerIdMs: config.legacyStreamerIdMs,
      iceOptions: (peerId) => peerConnectionOptions(config, peerId),
      isDraining: () => draining,
      reservations,
    },
    observer,
    log,
  );
  // Held `GET /drained` requests (the GPU app's preStop hook): answered once draining leaves no session.
  const waiters = new DrainWaiters({ draining: () => draining, liveSessions: () => hub.playerCount() });

  const status = (): SidecarStatus =>
    podStatus({
      streamerIds: hub.streamers.streamers().map((s) => s.id!),
      players: hub.playerCount(),
      draining,
      reserved: reservations.liveId !== undefined,
    });
  function changed(): void {
    const s = status();
    const key = JSON.stringify(s);
    if (key === last) return;
    last = key;
    metrics.update(s);
    if (isReady(s)) coldStart.ready(Date.now());
    emitter.emit('change', s);
    waiters.check();
  }
  reservations.on('change', changed);
  reservations.on('expired', (id) => {
    metrics.reservations.inc({ result: 'expired' });
    log.info({ reservationId: id }, 'reservation expired');
  });
  changed();

  const listenOpts: ListenOptions = {
    maxBytes: config.maxMessageBytes,
    maxPlayerSockets: config.maxPlayerSockets,
    keepaliveSeconds: config.keepaliveSeconds,
    playerRate: config.playerRate,
    streamerRate: config.streamerRate,
    streamerToken: config.streamerToken,
  };
  const upgradeWarnings = new WarningLimiter();
  const routes = {
    player: (conn: Parameters<typeof hub.acceptPlayer>[0], reservationId: string | undefined) => {
      const claimed = reservationId !== undefined && reservations.claim(reservationId);
      if (reservationId !== undefined && !claimed)
        log.warn({ reservationId }, 'player carries an unknown or expired reservation');
      return hub.acceptPlayer(conn, claimed ? reservationId : undefined);
    },
    streamer: (conn: Parameters<typeof hub.acceptPlayer>[0], kind: 'streamer' | 'sfu') =>
      hub.acceptStreamer(conn, kind),
    refused: (reason: string, role: string, remote: string) => {
      metrics.rejections.inc({ reason });
      // Upgrade floods must not become log floods: per address and reason once per 10 s, bounded in all.
      const verdict = upgradeWarnings.check(`${reason}:${role}:${remote.replace(/:\d+$/, '')}`);
      if (verdict.allow) log.warn({ reason, role, remote, suppressed: verdict.suppressed }, 'refused');
    },
  };
  const app = createHttpApp({
    status,
    reservations,
    routerToken: config.routerToken,
    playerPageDir: config.playerPageDir,
    onReservation: (result) => metrics.reservations.inc({ result }),
    onRejection: (reason) => metrics.rejections.inc({ reason }),
    log,
  });
  const player = playerServer(app, listenOpts, routes);
  const streamer = streamerServer('streamer', listenOpts, routes);
  const sfu = config.sfuPort !== 0 ? streamerServer('sfu', listenOpts, routes) : undefined;
  const metricsServer = createServer((req, res) => {
    if (waiters.handle(req, res)) return;
    if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    } else
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"code":"not_found","message":"try /metrics or /drained"}');
  });

  const servers: [Server, WebSocketServer | undefined][] = [];
  try {
    const ports: SidecarPorts = {
      player: await listen(player.server, config.playerPort, config.playerHost, 'PLAYER'),
      streamer: await listen(streamer.server, config.streamerPort, config.streamerHost, 'STREAMER'),
      sfu: sfu ? await listen(sfu.server, config.sfuPort, config.sfuHost, 'SFU') : 0,
      metrics: await listen(metricsServer, config.metricsPort, config.metricsHost, 'METRICS'),
    };
    servers.push([player.server, player.wss], [streamer.server, streamer.wss], [metricsServer, undefined]);
    if (sfu) servers.push([sfu.server, sfu.wss]);

    let draining$: Promise<void> | undefined;
    let closed$: Promise<void> | undefined;
    const source = {
      status,
      on: (e: 'change', l: (s: SidecarStatus) => void) => emitter.on(e, l),
      off: (e: 'change', l: (s: SidecarStatus) => void) => emitter.off(e, l),
    };
    const podPatcher = options.podPatcher
      ? startPodPatcher(
          source,
          {
            ...options.podPatcher,
            onPatch: (r) => metrics.podPatches.inc({ result: r }),
            onPodFacts: (f) => coldStart.created(f),
          },
          log,
        )
      : undefined;
    const sidecar: Sidecar = {
      ports,
      status,
      on: (e, l) => emitter.on(e, l),
      off: (e, l) => emitter.off(e, l),
      drain() {
        draining$ ??= (async () => {
          draining = true;
          log.info({ players: hub.playerCount(), timeoutSeconds: config.drainTimeoutSeconds }, 'draining');
          changed();
          const result = await waitForIdle(
            {
              liveSessions: () => hub.playerCount(),
              onChange: (l) => {
                emitter.on('change', l);
                return () => emitter.off('change', l);
              },
            },
            config.drainTimeoutSeconds * 1000,
          );
          log.info({ result, players: hub.playerCount() }, 'drain finished');
        })();
        return draining$;
      },
      close() {
        closed$ ??= (async () => {
          // Before the sessions are cut, so the hook's answer says how many the drain left behind.
          waiters.closeAll();
          hub.closeAll(CLOSE.goingAway, draining ? 'server drained' : 'server shutting down');
          reservations.close();
          await podPatcher?.stop();
          await Promise.all(servers.map(([s, w]) => closeServer(s, w)));
          await events.flush();
        })();
        return closed$;
      },
    };
    return sidecar;
  } catch (err) {
    await Promise.all(
      [player.server, streamer.server, sfu?.server, metricsServer].map(
        (s) => new Promise<void>((resolve) => (s?.listening ? s.close(() => resolve()) : resolve())),
      ),
    );
    throw err;
  }
}
