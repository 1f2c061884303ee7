// One player's way through the router: resume its old pod if its cookie names one, otherwise wait in the
// queue for a reservation; then open the sidecar's player socket with the reservation id and splice the two.
// While it waits, the router answers the frontend's keepalive pings itself and holds (bounded) anything else
// the player sends, so Epic's frontend never notices that no signalling server is behind the socket yet.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, type RawData, type WebSocketServer } from 'ws';
import { CLOSE, RESERVATION_QUERY_PARAM, build, encode, parseMessage, type Logger } from '../common/index.js';
import type { NoCapacityMessage, SessionTicketMessage } from '../common/router-messages.js';
import { queuePosition } from '../common/router-messages.js';
import type { Allocator, Grant, RejectCode, Waiter } from './allocator.js';
import type { Discovery } from './endpoints.js';
import type { RouterMetrics } from './metrics.js';
import { type ClientLimiter, retryDelayMs } from './client-limiter.js';
import { closeLike, splice } from './pipe.js';
import type { ReservationClient } from './reservation-client.js';
import { readCookie, type SessionCookies } from './session-cookie.js';
import type { SessionRegistry } from './session-registry.js';
import { canMove, type EndReason, type SessionState } from './session-states.js';
import { upstreamUrl } from './upgrade-check.js';

export interface SessionContext {
  allocator: Allocator;
  client: ReservationClient;
  cookies: SessionCookies;
  discovery: Discovery;
  metrics: RouterMetrics;
  log: Logger;
  wss: WebSocketServer;
  /** Cookie to put on the 101 response of a request (read by the server's `headers` hook). */
  upgradeCookies: WeakMap<IncomingMessage, string>;
  /** Live sessions; also issues their ids. */
  sessions: SessionRegistry<PlayerSession>;
  /** Allocation attempts per client address (arrivals are counted by the upgrade handler). */
  limiter: ClientLimiter;
  options: SessionOptions;
}

export interface SessionOptions {
  queueTimeoutMs: number;
  reservationTtlSeconds: number;
  resumeGraceSeconds: number;
  /** Largest WebSocket message accepted from either side. */
  maxPayload: number;
  /** Longest an arriving player is held before its socket is opened anyway (to start showing its place). */
  holdMs: number;
  /** Sidecar player socket must open within this. */
  upstreamOpenMs: number;
}

/** Messages a player may send before its pod is ready; Epic's frontend sends none until `config` arrives. */
const MAX_PENDING_MESSAGES = 64;
const MAX_PENDING_BYTES = 256 * 1024;

export class PlayerSession implements Waiter {
  readonly id: number;
  readonly arrivedAt = Date.now();
  private readonly deadline: number;
  private state: SessionState = 'arriving';
  private ws?: WebSocket;
  private upstream?: WebSocket;
  private grant?: Grant;
  private resuming = false;
  /** Reservation id the handshake's Set-Cookie named, if any. */
  private cookieReservation?: string;
  private pending: Array<{ data: RawData; isBinary: boolean }> = [];
  private pendingBytes = 0;
  private holdTimer?: NodeJS.Timeout;
  /** Granted pods whose socket then failed, for the retry back-off. */
  private failures = 0;
  private retryTimer?: NodeJS.Timeout;
  /** Liveness: cleared on every ping round, set by the player's pong. */
  alive = true;
  private readonly log: Logger;
  private readonly onRawClose = () => this.closedWhileArriving();

  constructor(
    private readonly ctx: SessionContext,
    private readonly req: IncomingMessage,
    private readonly socket: Duplex,
    private readonly head: Buffer,
    /** The client's address (X-Forwarded-For as far as trusted), for the per-client attempt bound. */
    private readonly client: string,
  ) {
    this.id = ctx.sessions.issueId();
    this.deadline = this.arrivedAt + ctx.options.queueTimeoutMs;
    this.log = ctx.log.child({ session: this.id });
    ctx.sessions.add(this);
  }

  get secure(): boolean {
    const proto = this.req.headers['x-forwarded-proto'];
    return (
      (typeof proto === 'string' && proto.split(',')[0]?.trim() === 'https') || 'encrypted' in this.req.socket
    );
  }

  async start(): Promise<void> {
    this.socket.on('close', this.onRawClose);
    this.socket.on('error', () => this.socket.destroy());
    const raw = readCookie(this.req.headers.cookie, this.ctx.cookies.name);
    const ticket = this.ctx.cookies.decode(raw);
    if (raw !== undefined && !ticket)
      this.log.info({ code: 'BAD_SESSION_COOKIE' }, 'ignoring an invalid session cookie');
    if (ticket && (await this.tryResume(ticket.sidecarUrl, ticket.reservationId))) return;
    if (this.state === 'closed') return;
    this.ctx.metrics.arrivals.inc();
    this.ctx.allocator.enqueue(this);
    // Open the socket anyway if the first round takes long (slow sidecars): the player then sees its place.
    if (this.state === 'arriving')
      this.holdTimer = setTimeout(() => this.onQueued(), this.ctx.options.holdMs);
  }

  private async tryResume(sidecarUrl: string, reservationId: string): Promise<boolean> {
    const endpoint = this.ctx.discovery.endpoints().find((e) => e.url === sidecarUrl);
    if (!endpoint) {
      // Only pods discovery vouches for: a signed cookie is still never a way to reach an arbitrary host.
      this.log.info(
        { url: sidecarUrl, code: 'RESUME_POD_GONE' },
        'resume impossible: pod no longer discovered',
      );
      return false;
    }
    const outcome = await this.ctx.client.reserve(endpoint.url, {
      resumeId: reservationId,
      ttlSeconds: this.ctx.options.reservationTtlSeconds,
      resumeSeconds: this.ctx.options.resumeGraceSeconds,
    });
    if (this.state === 'closed') {
      // The player left while we asked; the sidecar's grace period will end the reservation.
      return true;
    }
    if (outcome.kind !== 'granted') {
      // The pod did not answer, or not as a sidecar should: a failure like any reservation request's. A 404
      // or 409 is the sidecar's normal answer for a lapsed or taken reservation.
      if (outcome.kind === 'failed') this.ctx.metrics.count('failed');
      this.log.info(
        {
          pod: endpoint.key,
          reservation: reservationId,
          code: `RESUME_${(outcome.kind === 'failed' ? outcome.code : outcome.kind).toUpperCase()}`,
        },
        'resume refused; allocating a new pod',
      );
      return false;
    }
    this.resuming = true;
    this.onGrant({ endpoint, reservation: outcome.reservation });
    return true;
  }

  // ---- Waiter (called by the allocator) ----

  onGrant(grant: Grant): void {
    if (this.state === 'arriving' && this.socket.destroyed) this.closedWhileArriving();
    if (this.state === 'closed') return this.ctx.allocator.giveBack(grant);
    this.grant = grant;
    this.upgrade(grant, () => this.connectUpstream(grant));
  }

  onQueued(): void {
    if (this.state !== 'arriving') return;
    this.upgrade(undefined, () =>
      this.log.info({ queued: this.ctx.allocator.waiting }, 'player waiting for a pod'),
    );
  }

  onPosition(position: number, length: number): void {
    if (this.state === 'waiting' && this.ws?.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(queuePosition(position, length)));
    }
  }

  onReject(code: RejectCode): void {
    const text: Record<typeof code, string> = {
      queue_full: 'Every stream is busy and the wait queue is full. Please try again later.',
      queue_timeout: `No stream became free within ${Math.round(this.ctx.options.queueTimeoutMs / 1000)} s. Please try again later.`,
      shutting_down: 'This router is restarting; reconnecting to another one…',
    };
    this.log.info({ code: code.toUpperCase(), waitedMs: Date.now() - this.arrivedAt }, 'player turned away');
    const turnAway = () => {
      const ws = this.ws;
      this.finish('turned_away');
      if (!ws || ws.readyState !== WebSocket.OPEN) return;
      const message: NoCapacityMessage = { type: 'noCapacity', code, message: text[code] };
      ws.send(JSON.stringify(message));
      // 1012, not 1001: Epic's frontend reconnects by itself (through the ingress, to another replica) after
      // any close but 1001, which it takes for the page being left.
      ws.close(code === 'shutting_down' ? CLOSE.serviceRestart : CLOSE.noCapacity, `no capacity: ${code}`);
    };
    if (this.state === 'arriving') this.upgrade(undefined, turnAway);
    else turnAway();
  }

  // ---- socket handling ----

  /** Completes the WebSocket handshake (once), with the resume cookie when a pod is already known. */
  private upgrade(grant: Grant | undefined, then: () => void): void {
    if (this.state !== 'arriving') return then();
    clearTimeout(this.holdTimer);
    this.socket.off('close', this.onRawClose);
    if (!this.moveTo('waiting')) return;
    if (grant) {
      this.cookieReservation = grant.reservation.id;
      this.ctx.upgradeCookies.set(
        this.req,
        this.ctx.cookies.header(
          { sidecarUrl: grant.endpoint.url, reservationId: grant.reservation.id },
          this.secure,
        ),
      );
    }
    this.ctx.wss.handleUpgrade(this.req, this.socket, this.head, (ws) => {
      this.ws = ws;
      ws.on('message', this.onEarlyMessage);
      ws.on('pong', () => (this.alive = true));
      ws.on('error', (err) => this.log.debug({ err: err.message }, 'player socket error'));
      ws.on('close', (code) => this.playerClosed(code));
      then();
    });
  }

  private readonly onEarlyMessage = (data: RawData, isBinary: boolean) => {
    const parsed = parseMessage(data, this.ctx.options.maxPayload);
    if (
      parsed.ok &&
      parsed.message.type === 'ping' &&
      'time' in parsed.message &&
      typeof parsed.message.time === 'number'
    ) {
      this.ws?.send(encode(build.pong(parsed.message.time)));
      return;
    }
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    this.pendingBytes += size;
    this.pending.push({ data, isBinary });
    if (this.pending.length > MAX_PENDING_MESSAGES || this.pendingBytes > MAX_PENDING_BYTES) {
      this.log.warn(
        { code: 'EARLY_OVERFLOW', messages: this.pending.length, bytes: this.pendingBytes },
        'player sent too much before its pod was ready; closing',
      );
      this.ws?.close(CLOSE.policyViolation, 'too many messages before a stream was assigned');
    }
  };

  private closedWhileArriving(): void {
    if (this.state !== 'arriving') return;
    this.finish('left_before_upgrade');
    this.ctx.allocator.cancel(this);
    this.log.info({ waitedMs: Date.now() - this.arrivedAt }, 'player left before its socket opened');
  }

  private playerClosed(code: number): void {
    const was = this.state;
    if (was === 'piped' || was === 'closed') return; // the pipe reports piped sessions
    this.finish(was === 'waiting' ? 'left_queue' : 'left_while_connecting');
    if (was === 'waiting') {
      this.ctx.allocator.cancel(this);
      this.log.info({ closeCode: code, waitedMs: Date.now() - this.arrivedAt }, 'player left the queue');
    } else if (was === 'connecting') {
      this.upstream?.terminate();
      this.log.info({ closeCode: code }, 'player left while its pod was being connected');
      // Resumed or not, a player that closes cleanly is done; otherwise the sidecar's TTL/grace applies.
      if (this.grant && (code === 1000 || code === 1005)) this.release(this.grant);
    }
  }

  private connectUpstream(grant: Grant): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      this.finish('player_gone');
      this.release(grant);
      return;
    }
    if (!this.moveTo('connecting')) {
      this.release(grant);
      return;
    }
    // Only a sidecar discovery lists right now, at its own origin: the player supplies the path, never the host.
    const listed = this.ctx.discovery.endpoints().some((e) => e.url === grant.endpoint.url);
    const target = listed
      ? upstreamUrl(grant.endpoint.url, this.req.url ?? '/', RESERVATION_QUERY_PARAM, grant.reservation.id)
      : undefined;
    const forwardedFor = [this.req.headers['x-forwarded-for'], this.req.socket.remoteAddress]
      .filter(Boolean)
      .join(', ');
    if (!target) {
      this.log.warn(
        { pod: grant.endpoint.key, code: listed ? 'BAD_UPGRADE' : 'POD_NOT_LISTED' },
        listed ? 'player path is not a plain path; closing' : 'granted pod left discovery; closing',
      );
      this.finish(listed ? 'bad_path' : 'pod_not_listed');
      this.release(grant);
      // 1012: Epic's frontend reconnects by itself and the player is placed afresh.
      ws.close(listed ? CLOSE.policyViolation : CLOSE.serviceRestart, listed ? 'bad path' : 'pod gone');
      return;
    }
    const upstream = new WebSocket(target, {
      maxPayload: this.ctx.options.maxPayload,
      handshakeTimeout: this.ctx.options.upstreamOpenMs,
      perMessageDeflate: false,
      headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
    });
    this.upstream = upstream;
    let opened = false;
    upstream.once('open', () => {
      opened = true;
      if (this.state !== 'connecting' || ws.readyState !== WebSocket.OPEN) {
        upstream.terminate();
        return;
      }
      ws.off('message', this.onEarlyMessage);
      if (this.cookieReservation !== grant.reservation.id) {
        // The handshake went out before this pod was known: hand the page a ticket it can trade for the cookie.
        const ticket: SessionTicketMessage = {
          type: 'sessionTicket',
          ticket: this.ctx.cookies.encode({
            sidecarUrl: grant.endpoint.url,
            reservationId: grant.reservation.id,
          }),
        };
        ws.send(JSON.stringify(ticket));
      }
      const pending = this.pending;
      this.pending = [];
      if (!this.moveTo('piped')) return;
      const waitedMs = Date.now() - this.arrivedAt;
      if (this.resuming) this.ctx.metrics.count('resumed');
      else {
        this.ctx.metrics.count('assigned');
        this.ctx.metrics.waitSeconds.observe(waitedMs / 1000);
      }
      this.log.info(
        { pod: grant.endpoint.key, reservation: grant.reservation.id, resumed: this.resuming, waitedMs },
        this.resuming ? 'player resumed on its pod' : 'player assigned a pod',
      );
      const pipedAt = Date.now();
      splice(ws, upstream, pending, (first, code, reason) => {
        this.finish('pipe_closed');
        this.log.info(
          {
            pod: grant.endpoint.key,
            reservation: grant.reservation.id,
            first,
            closeCode: code,
            reason,
            durationMs: Date.now() - pipedAt,
          },
          'session ended',
        );
        // A player that closes normally has finished: free the pod now instead of after the resume grace.
        if (first === 'player' && (code === 1000 || code === 1005)) this.release(grant);
      });
    });
    const failed = (why: string) => {
      if (opened || this.state !== 'connecting') return;
      this.ctx.metrics.count('failed');
      this.ctx.allocator.suspect(grant.endpoint, why);
      this.release(grant);
      this.log.warn(
        { pod: grant.endpoint.key, reservation: grant.reservation.id, code: 'SIDECAR_SOCKET_FAILED', why },
        'sidecar player socket failed after reservation; finding another pod',
      );
      this.moveTo('waiting');
      this.grant = undefined;
      const resumed = this.resuming;
      this.resuming = false;
      // Back off before asking again: a pod (or anything posing as one) whose socket fails at once must not
      // turn one player into a loop of reservations that starves everyone else's queue.
      this.retryLater(retryDelayMs(++this.failures), resumed);
    };
    upstream.on('unexpected-response', (_req, res) => {
      failed(`HTTP ${res.statusCode ?? 0}`);
      upstream.terminate();
    });
    upstream.on('error', (err) => failed(err.message));
    upstream.on('close', (code) => failed(`closed ${code} before open`));
  }

  /** Back into the queue after `ms`, and only once the client's attempt bound allows another attempt. */
  private retryLater(ms: number, fresh: boolean): void {
    this.log.info({ retryInMs: ms, failures: this.failures }, 'retrying after a failed pod');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.state !== 'waiting') return;
      const wait = this.ctx.limiter.take(this.client);
      if (wait > 0) return this.retryLater(wait, fresh);
      if (fresh) this.ctx.allocator.enqueue(this);
      else this.ctx.allocator.requeue(this, this.deadline);
    }, ms);
  }

  /**
   * The only way a session ends: marks it closed, stops its timers and forgets it. Idempotent; returns whether
   * this call ended it. Callers then do what their way of ending needs (cancel, release, tell the player).
   */
  private finish(reason: EndReason): boolean {
    if (this.state === 'closed') return false;
    this.moveTo('closed');
    clearTimeout(this.holdTimer);
    clearTimeout(this.retryTimer);
    this.ctx.sessions.delete(this);
    this.log.debug({ reason }, 'session finished');
    return true;
  }

  /**
   * Every state change goes through here, so none can bypass the transition table. A move the table does
   * not list is a bug in this file, never the player's doing: it is logged with a code and refused (false),
   * and the caller stops, instead of an exception taking down every other player's session on this router.
   */
  private moveTo(next: SessionState): boolean {
    if (!canMove(this.state, next)) {
      this.log.error(
        { code: 'SESSION_ILLEGAL_MOVE', from: this.state, to: next },
        'illegal session move refused',
      );
      return false;
    }
    this.state = next;
    return true;
  }

  private release(grant: Grant): void {
    void this.ctx.client.release(grant.endpoint.url, grant.reservation.id).then((r) => {
      this.log.debug(
        { pod: grant.endpoint.key, reservation: grant.reservation.id, result: r },
        'reservation released',
      );
      this.ctx.allocator.released(grant.endpoint);
    });
  }

  /** Router shutdown: waiting players are told to come back; piped ones are dropped so they resume elsewhere. */
  shutdown(): void {
    switch (this.state) {
      case 'arriving':
        this.socket.destroy();
        break;
      case 'waiting':
        clearTimeout(this.retryTimer);
        this.ctx.allocator.cancel(this);
        this.onReject('shutting_down');
        break;
      case 'connecting':
      case 'piped':
        // Dropping (not closing) the sidecar side keeps the reservation resumable there.
        this.upstream?.terminate();
        if (this.ws) closeLike(this.ws, CLOSE.serviceRestart, 'router restarting');
        break;
      case 'closed':
        break;
    }
  }

  /** The socket for liveness pings (undefined until upgraded). */
  get socketForPing(): WebSocket | undefined {
    return this.ws;
  }
}
