// The signalling protocol (docs/protocol.md §2–§4) between streamers, SFUs and players: registration,
// subscription, offer/answer/candidate routing and disconnects. It sees sockets only as `Connection`s, asks
// allocation.ts for every subscribe decision, and filters what old streamers would choke on.
import { randomUUID } from 'node:crypto';
import {
  CLOSE,
  DEFAULT_STREAMER_ID,
  build,
  isUnknown,
  normalisePlayerId,
  type IceCandidateInit,
  type Logger,
  type Message,
  type MessageOf,
  type PeerConnectionOptions,
  type ProcessingEventKind,
  type UnknownMessage,
} from '../common/index.js';
import { decideSubscribe } from './allocation.js';
import { PlayerRegistry, type PlayerEntry, type Session } from './player-registry.js';
import type { Reservations } from './reservations.js';
import { streamerAccepts } from './streamer-generations.js';
import { StreamerRegistry, generation, type StreamerEntry } from './streamer-registry.js';
import { logText } from './log-text.js';
import type { Connection, RejectionReason } from './transport.js';

export type Role = 'player' | 'streamer' | 'sfu';

/** What the hub reports; the sidecar turns it into metrics, events and status changes. */
export interface HubObserver {
  message(role: Role, type: string): void;
  rejection(reason: RejectionReason, role: Role, detail: string, log: Logger): void;
  sessionStarted(player: PlayerEntry, streamer: StreamerEntry): void;
  sessionEnded(
    player: PlayerEntry,
    session: Session,
    streamerId: string,
    reason: string,
    durationSeconds: number,
  ): void;
  answered(seconds: number): void;
  streamerRegistered(id: string): void;
  streamerGone(id: string): void;
  /** A processing session's result or end, from the streamer serving `player`. */
  processingEvent(
    player: PlayerEntry,
    streamerId: string,
    kind: ProcessingEventKind,
    data: Record<string, unknown>,
  ): void;
  change(): void;
}

export interface HubOptions {
  maxPlayersPerStreamer: number;
  legacyStreamerIdMs: number;
  iceOptions(peerId: string): PeerConnectionOptions;
  isDraining(): boolean;
  reservations: Reservations;
}

export interface SocketHandlers {
  onMessage(message: Message | UnknownMessage): void;
  onReject(reason: RejectionReason, detail: string): void;
  onClose(code: number, reason: string): void;
}

const PLAYER_ONLY = new Set([
  'listStreamers',
  'subscribe',
  'unsubscribe',
  'layerPreference',
  'dataChannelRequest',
  'peerDataChannelsReady',
]);
let streamerSeq = 0;
// Ids end up in logs, metrics-adjacent status and every player's streamerList; real ones are short names.
const MAX_ID_LENGTH = 128;
/** Bytes queued for a streamer above which the players feeding it are cut (the router's pipe uses 1 MiB too). */
const STREAMER_HIGH_WATER_BYTES = 1024 * 1024;

export class SignallingHub {
  readonly streamers = new StreamerRegistry();
  readonly players = new PlayerRegistry();
  private subscribedPlayers = 0;

  constructor(
    private readonly options: HubOptions,
    private readonly observer: HubObserver,
    private readonly log: Logger,
  ) {}

  /** A streamer (or SFU) socket opened. Sends `config` and `identify`; nothing else is unsolicited. */
  acceptStreamer(conn: Connection, kind: 'streamer' | 'sfu'): SocketHandlers {
    const label = `${kind}-${++streamerSeq}`;
    const entry: StreamerEntry = {
      conn,
      kind,
      id: undefined,
      sentEndpointId: false,
      announcedVersion: false,
      streaming: kind === 'streamer',
      subscribers: new Map(),
      log: this.log.child({ streamerConnection: label, remote: conn.remote }),
    };
    this.streamers.addPending(entry);
    if (kind === 'sfu') {
      // An SFU also subscribes to a streamer, exactly like a player.
      entry.asPlayer = this.newPlayer(conn, 'sfu', undefined);
      entry.asPlayer.asStreamer = entry;
    }
    conn.send(build.config(this.options.iceOptions(kind === 'sfu' ? entry.asPlayer!.playerId : label)));
    conn.send(build.identify());
    if (kind === 'streamer' && this.options.legacyStreamerIdMs > 0) {
      entry.legacyTimer = setTimeout(() => {
        if (entry.id === undefined && conn.isOpen) this.registerStreamer(entry, DEFAULT_STREAMER_ID);
      }, this.options.legacyStreamerIdMs);
      entry.legacyTimer.unref();
    }
    entry.log.info('streamer connection opened');
    return {
      onMessage: (m) => this.onStreamerMessage(entry, m),
      onReject: (reason, detail) => this.observer.rejection(reason, kind, detail, entry.log),
      onClose: (code, reason) => this.onStreamerClose(entry, code, reason),
    };
  }

  /** A player socket opened; `reservationId` is the claimed reservation from the upgrade URL, if any. */
  acceptPlayer(conn: Connection, reservationId: string | undefined): SocketHandlers {
    const player = this.newPlayer(conn, 'player', reservationId);
    conn.send(build.config(this.options.iceOptions(player.playerId)));
    player.log.info({ reservationId }, 'player connected');
    return {
      onMessage: (m) => this.onPlayerMessage(player, m),
      onReject: (reason, detail) => this.observer.rejection(reason, 'player', detail, player.log),
      onClose: (code, reason) => this.onPlayerClose(player, code, reason),
    };
  }

  /** Number of subscribed browser players (SFUs excluded); kept as a count because status is read per change. */
  playerCount(): number {
    return this.subscribedPlayers;
  }

  /** Closes every socket (shutdown). */
  closeAll(code: number, reason: string): void {
    for (const p of [...this.players.all()]) p.conn.close(code, reason);
    for (const s of this.streamers.all()) s.conn.close(code, reason);
  }

  private newPlayer(
    conn: Connection,
    kind: 'player' | 'sfu',
    reservationId: string | undefined,
  ): PlayerEntry {
    const playerId = this.players.nextId();
    const player: PlayerEntry = {
      conn,
      playerId,
      kind,
      reservationId,
      browserOffer: false,
      log: this.log.child({ playerId }),
    };
    this.players.add(player);
    return player;
  }

  // ---- streamer side -------------------------------------------------------------------------------

  private onStreamerMessage(s: StreamerEntry, m: Message | UnknownMessage): void {
    const role: Role = s.kind;
    this.observer.message(role, isUnknown(m) ? 'unknown' : m.type);
    if (isUnknown(m)) {
      this.observer.rejection('unknown_type', role, `unknown message type "${m.type.slice(0, 64)}"`, s.log);
      return;
    }
    switch (m.type) {
      case 'endpointId':
        this.onEndpointId(s, m);
        return;
      case 'ping':
        s.conn.send(build.pong(m.time));
        return;
      case 'offer':
        // An SFU offers only to its own players; streamers offer to theirs.
        this.toSubscriber(s, m.playerId, (id) => forwardSdp(m, id), 'offer');
        return;
      case 'answer':
        if (s.kind === 'sfu') this.onPlayerMessage(s.asPlayer!, m);
        else this.toSubscriber(s, m.playerId, (id) => forwardSdp(m, id), 'answer');
        return;
      case 'iceCandidate': {
        const candidate = cleanCandidate(m.candidate);
        if (!candidate) {
          this.observer.rejection(
            'bad_field',
            role,
            'iceCandidate.candidate.candidate must be a string',
            s.log,
          );
          return;
        }
        if (s.kind === 'sfu' && normalisePlayerId(m.playerId) === undefined)
          this.onPlayerMessage(s.asPlayer!, m);
        else this.toSubscriber(s, m.playerId, (id) => build.iceCandidate(candidate, id), 'iceCandidate');
        return;
      }
      case 'disconnectPlayer': {
        const id = normalisePlayerId(m.playerId)!;
        const player = s.subscribers.get(id);
        if (!player) {
          this.observer.rejection(
            'not_subscriber',
            role,
            `disconnectPlayer for ${id}, not a subscriber of this streamer`,
            s.log,
          );
          return;
        }
        (player.session?.log ?? player.log).info(
          { reason: logText(m.reason) },
          'player disconnected by streamer',
        );
        player.conn.close(
          CLOSE.disconnectedByStreamer,
          typeof m.reason === 'string' ? m.reason : 'disconnected by streamer',
        );
        return;
      }
      case 'peerDataChannels':
        if (s.kind !== 'sfu') break;
        this.toSubscriber(
          s,
          m.playerId,
          (id) => build.peerDataChannels(id, m.sendStreamId, m.recvStreamId),
          'peerDataChannels',
        );
        return;
      case 'streamerDataChannels': {
        if (s.kind !== 'sfu') break;
        const target = s.asPlayer?.subscribedTo;
        const sfuId = typeof m.sfuId === 'string' ? m.sfuId : undefined;
        if (target)
          this.sendToStreamer(
            target,
            build.streamerDataChannels(sfuId, m.sendStreamId, m.recvStreamId, s.asPlayer!.playerId),
          );
        return;
      }
      case 'processingEvent': {
        const player = s.subscribers.get(normalisePlayerId(m.playerId) ?? '');
        if (!player) {
          this.observer.rejection(
            'not_subscriber',
            role,
            `processingEvent for ${String(m.playerId)}, not a subscriber of this streamer`,
            s.log,
          );
          return;
        }
        this.observer.processingEvent(player, s.id ?? DEFAULT_STREAMER_ID, m.kind, m.data);
        return;
      }
      case 'startStreaming':
      case 'stopStreaming':
        if (s.kind !== 'sfu') break;
        s.streaming = m.type === 'startStreaming';
        if (!s.streaming)
          for (const p of [...s.subscribers.values()])
            p.conn.close(CLOSE.streamerGone, 'SFU stopped streaming');
        this.observer.change();
        return;
      default:
        if (s.kind === 'sfu' && PLAYER_ONLY.has(m.type)) {
          this.onPlayerMessage(s.asPlayer!, m);
          return;
        }
    }
    this.observer.rejection('wrong_role', role, `"${m.type}" is not a ${role} message`, s.log);
  }

  private onEndpointId(s: StreamerEntry, m: MessageOf<'endpointId'>): void {
    if (m.id.length > MAX_ID_LENGTH) {
      this.observer.rejection(
        'bad_field',
        s.kind,
        `endpointId.id longer than ${MAX_ID_LENGTH} characters`,
        s.log,
      );
      return;
    }
    s.sentEndpointId = true;
    s.announcedVersion = typeof m.protocolVersion === 'string';
    const committed = this.registerStreamer(s, m.id.trim() || DEFAULT_STREAMER_ID);
    if (s.announcedVersion) this.sendToStreamer(s, build.endpointIdConfirm(committed));
  }

  private registerStreamer(s: StreamerEntry, wanted: string): string {
    if (s.legacyTimer) clearTimeout(s.legacyTimer);
    const previous = s.id;
    const id = this.streamers.register(s, wanted);
    if (previous === id) return id;
    s.log = s.log.child({ streamerId: id });
    if (previous === undefined) {
      s.log.info({ generation: generation(s) }, 'streamer registered');
      this.observer.streamerRegistered(id);
    } else {
      s.log.info({ previous }, 'streamer renamed');
      for (const p of s.subscribers.values()) p.conn.send(build.streamerIdChanged(id));
    }
    this.observer.change();
    return id;
  }

  private onStreamerClose(s: StreamerEntry, code: number, reason: string): void {
    if (s.legacyTimer) clearTimeout(s.legacyTimer);
    const id = s.id;
    this.streamers.remove(s);
    s.log.info({ closeCode: code, reason }, 'streamer disconnected');
    for (const p of [...s.subscribers.values()]) {
      if (p.kind === 'sfu') {
        this.unsubscribe(p, 'streamer_gone', false);
        p.conn.send(build.streamerDisconnected());
      } else {
        this.unsubscribe(p, 'streamer_gone', false);
        p.conn.close(CLOSE.streamerGone, 'streamer disconnected');
      }
    }
    if (s.asPlayer) this.onPlayerClose(s.asPlayer, code, reason);
    if (id !== undefined) this.observer.streamerGone(id);
    this.observer.change();
  }

  /** Routes a streamer message to one of its subscribers (the only one, when the id is missing). */
  private toSubscriber(
    s: StreamerEntry,
    rawId: unknown,
    make: (playerId: string) => Message,
    what: string,
  ): void {
    let id = normalisePlayerId(rawId);
    if (id === undefined && s.subscribers.size === 1) id = s.subscribers.keys().next().value;
    const player = id === undefined ? undefined : s.subscribers.get(id);
    if (!player || id === undefined) {
      this.observer.rejection(
        'not_subscriber',
        s.kind,
        `${what} for ${String(rawId)}, not a subscriber of this streamer`,
        s.log,
      );
      return;
    }
    const out = make(id);
    player.conn.send(out);
    if (out.type === 'answer') this.noteAnswer(player);
  }

  private sendToStreamer(s: StreamerEntry, m: Message): void {
    if (streamerAccepts(generation(s), m.type)) s.conn.send(m);
    else s.log.debug({ type: m.type, generation: generation(s) }, 'message withheld from an older streamer');
  }

  // ---- player side ---------------------------------------------------------------------------------

  private onPlayerMessage(p: PlayerEntry, m: Message | UnknownMessage): void {
    const role: Role = p.kind;
    if (p.kind === 'player') this.observer.message(role, isUnknown(m) ? 'unknown' : m.type);
    if (isUnknown(m)) {
      this.observer.rejection('unknown_type', role, `unknown message type "${m.type.slice(0, 64)}"`, p.log);
      return;
    }
    switch (m.type) {
      case 'ping':
        p.conn.send(build.pong(m.time));
        return;
      case 'listStreamers':
        p.conn.send(build.streamerList(this.streamers.listable()));
        return;
      case 'subscribe':
        this.subscribe(p, m.streamerId);
        return;
      case 'unsubscribe':
        this.unsubscribe(p, 'unsubscribe', true);
        return;
      case 'offer':
        if (!p.subscribedTo && !this.browserOffer(p)) return;
        this.toStreamer(p, forwardSdp(m, p.playerId));
        return;
      case 'answer':
        if (this.toStreamer(p, forwardSdp(m, p.playerId))) this.noteAnswer(p);
        return;
      case 'iceCandidate': {
        const candidate = cleanCandidate(m.candidate);
        if (!candidate)
          this.observer.rejection(
            'bad_field',
            role,
            'iceCandidate.candidate.candidate must be a string',
            p.log,
          );
        else this.toStreamer(p, build.iceCandidate(candidate, p.playerId));
        return;
      }
      case 'layerPreference':
        this.toStreamer(p, build.layerPreference(m.spatialLayer, m.temporalLayer, p.playerId));
        return;
      case 'dataChannelRequest':
      case 'peerDataChannelsReady':
        if (p.subscribedTo?.kind === 'sfu')
          this.toStreamer(p, { type: m.type, playerId: p.playerId } as unknown as Message);
        else this.observer.rejection('not_subscribed', role, `${m.type} needs an SFU subscription`, p.log);
        return;
      default:
        this.observer.rejection('wrong_role', role, `"${m.type}" is not a player message`, p.log);
    }
  }

  private toStreamer(p: PlayerEntry, m: Message): boolean {
    const s = p.subscribedTo;
    if (!s) {
      this.observer.rejection('not_subscribed', p.kind, `${m.type} before subscribing`, p.log);
      return false;
    }
    // Backpressure: a streamer that does not keep up must not have players' messages piling up in memory.
    // The player feeding it is cut (its frontend reconnects); the streamer keeps its socket unless even
    // that passes the transport's hard bound.
    if (s.conn.bufferedAmount > STREAMER_HIGH_WATER_BYTES) {
      this.observer.rejection(
        'backlogged',
        p.kind,
        `${m.type} refused: the streamer is not reading (${s.conn.bufferedAmount} bytes queued for it)`,
        p.log,
      );
      p.conn.close(CLOSE.backlogged, 'the streamer is not reading; try again later');
      return false;
    }
    this.sendToStreamer(s, m);
    return true;
  }

  /** UE 4.26/4.27 frontends offer without subscribing: join the first streamer. */
  private browserOffer(p: PlayerEntry): boolean {
    p.browserOffer = true;
    let target = this.streamers.streamers()[0];
    if (!target) {
      // A UE 4.27 streamer never names itself; the first browser offer tells us it is one.
      const pending = this.streamers.oldestPending();
      if (pending) this.registerStreamer(pending, DEFAULT_STREAMER_ID);
      target = pending;
    }
    if (!target?.id) {
      this.refuse(p, 'no_streamer', 'No streamer is connected');
      return false;
    }
    return this.subscribe(p, target.id);
  }

  private subscribe(p: PlayerEntry, streamerId: string): boolean {
    if (p.subscribedTo) this.unsubscribe(p, 'switched', true);
    const target = this.streamers.get(streamerId);
    const listable = target !== undefined && (target.kind === 'streamer' || target.streaming);
    const liveReservation = this.options.reservations.liveId;
    const reservationApplies = target?.kind === 'streamer' && p.kind === 'player';
    const staleHolder =
      p.reservationId !== undefined &&
      [...(target?.subscribers.values() ?? [])].some((o) => o.reservationId === p.reservationId);
    const decision = decideSubscribe({
      streamerExists: listable,
      isStreamer: target?.kind === 'streamer',
      subscribers: target?.subscribers.size ?? 0,
      maxPlayers: this.options.maxPlayersPerStreamer,
      draining: this.options.isDraining() && p.kind === 'player',
      reservationId: reservationApplies ? liveReservation : undefined,
      playerReservationId: p.reservationId,
      staleHolder,
    });
    if (!decision.ok || !target) {
      this.refuse(
        p,
        decision.ok ? 'unknown_streamer' : decision.reason,
        decision.ok ? 'Streamer does not exist' : decision.message,
      );
      return false;
    }
    if (decision.evictStaleHolder) {
      for (const o of [...target.subscribers.values()]) {
        if (o.reservationId === p.reservationId) {
          o.log.info('replaced by a resumed connection with the same reservation');
          o.conn.close(CLOSE.goingAway, 'replaced by a resumed connection');
        }
      }
    }
    target.subscribers.set(p.playerId, p);
    p.subscribedTo = target;
    if (p.kind === 'player') this.subscribedPlayers++;
    const sessionId = randomUUID();
    p.session = p.lastSession = {
      id: sessionId,
      startedAt: Date.now(),
      streamerId: target.id ?? '',
      log: p.log.child({ sessionId, streamerId: target.id }),
    };
    p.session.log.info('session started');
    this.observer.sessionStarted(p, target);
    this.sendToStreamer(target, build.playerConnected(p.playerId, p.kind === 'sfu'));
    this.observer.change();
    return true;
  }

  private refuse(p: PlayerEntry, reason: RejectionReason, message: string): void {
    this.observer.rejection(reason, p.kind, message, p.log);
    if (p.browserOffer) p.conn.close(CLOSE.tryAgainLater, message);
    else p.conn.send(build.subscribeFailed(message));
  }

  private unsubscribe(p: PlayerEntry, reason: string, notify: boolean): void {
    const s = p.subscribedTo;
    if (!s) return;
    s.subscribers.delete(p.playerId);
    p.subscribedTo = undefined;
    if (p.kind === 'player') this.subscribedPlayers--;
    if (notify) this.sendToStreamer(s, build.playerDisconnected(p.playerId));
    const session = p.session;
    p.session = undefined;
    if (session) {
      const seconds = (Date.now() - session.startedAt) / 1000;
      session.log.info({ reason, durationSeconds: seconds }, 'session ended');
      this.observer.sessionEnded(p, session, session.streamerId, reason, seconds);
    }
    this.observer.change();
  }

  private onPlayerClose(p: PlayerEntry, code: number, reason: string): void {
    this.unsubscribe(p, 'player_left', true);
    this.players.remove(p);
    if (p.reservationId !== undefined) this.options.reservations.drop(p.reservationId);
    // Under its latest session's ids, so the session can be followed to the socket's end.
    if (p.kind === 'player') (p.lastSession?.log ?? p.log).info({ code, reason }, 'player disconnected');
    this.observer.change();
  }

  private noteAnswer(p: PlayerEntry): void {
    const session = p.session;
    if (session && session.answeredAt === undefined) {
      session.answeredAt = Date.now();
      this.observer.answered((session.answeredAt - session.startedAt) / 1000);
    }
  }
}

/** Rebuilds an offer/answer with only the protocol's fields (browsers add bitrate hints). */
function forwardSdp(m: MessageOf<'offer'> | MessageOf<'answer'>, playerId: string): Message {
  const out: Record<string, unknown> = { type: m.type, sdp: m.sdp, playerId };
  if (typeof m.minBitrateBps === 'number') out.minBitrateBps = m.minBitrateBps;
  if (typeof m.maxBitrateBps === 'number') out.maxBitrateBps = m.maxBitrateBps;
  return out as Message;
}

/** Keeps only the RTCIceCandidateInit fields, so what arrives is what leaves and nothing else rides along. */
function cleanCandidate(c: IceCandidateInit): IceCandidateInit | undefined {
  if (typeof c.candidate !== 'string') return undefined;
  const out: IceCandidateInit = { candidate: c.candidate };
  if (typeof c.sdpMid === 'string' || c.sdpMid === null) out.sdpMid = c.sdpMid;
  if (typeof c.sdpMLineIndex === 'number' || c.sdpMLineIndex === null) out.sdpMLineIndex = c.sdpMLineIndex;
  if (typeof c.usernameFragment === 'string' || c.usernameFragment === null)
    out.usernameFragment = c.usernameFragment;
  return out;
}
