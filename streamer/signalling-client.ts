// The streamer's side of the signalling socket: connect (with the streamer token), answer `identify` with
// our id, surface player messages, keep the socket alive, and reconnect with back-off when it drops —
// without touching live peer connections, which do not need signalling once connected.
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import {
  build,
  encode,
  isUnknown,
  normalisePlayerId,
  parseMessage,
  type Logger,
  type Message,
  type PeerConnectionOptions,
} from '../common/index.js';
import { backoffDelay } from './backoff.js';
import { readIceConfig } from './ice-config.js';

/** How often we ping the server; a missing pong for two intervals means the socket is dead. */
const KEEPALIVE_MS = 15_000;
/** Largest signalling frame we accept (SDP offers are a few KiB). */
const MAX_FRAME_BYTES = 256 * 1024;

export interface SignallingOptions {
  url: string;
  token: string | undefined;
  streamerId: string;
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

export interface SignallingEvents {
  registered: [committedId: string];
  config: [options: PeerConnectionOptions];
  playerConnected: [playerId: string];
  playerDisconnected: [playerId: string];
  answer: [playerId: string, sdp: string];
  iceCandidate: [playerId: string, candidate: Extract<Message, { type: 'iceCandidate' }>['candidate']];
  connected: [];
  disconnected: [code: number, reason: string];
}

export class SignallingClient extends EventEmitter<SignallingEvents> {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private keepalive: NodeJS.Timeout | undefined;
  private lastPong = 0;
  private closed = false;
  peerConnectionOptions: PeerConnectionOptions = {};

  constructor(
    private readonly options: SignallingOptions,
    private readonly log: Logger,
  ) {
    super();
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.connect();
  }

  send(message: Message): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(encode(message));
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.keepalive);
    const s = this.socket;
    if (!s || s.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.close(1000, 'streamer stopping');
      setTimeout(() => (s.terminate(), resolve()), 1_000).unref();
    });
  }

  private connect(): void {
    // The token travels as `?token=` because that is all an Unreal streamer can send (the sidecar accepts
    // nothing else); the header is for proxies that authenticate on it.
    const headers: Record<string, string> = {};
    const url = new URL(this.options.url);
    if (this.options.token) {
      headers.authorization = `Bearer ${this.options.token}`;
      if (!url.searchParams.has('token')) url.searchParams.set('token', this.options.token);
    }
    const socket = new WebSocket(url, { headers, maxPayload: MAX_FRAME_BYTES, handshakeTimeout: 5_000 });
    this.socket = socket;
    socket.on('open', () => {
      this.attempt = 0;
      this.lastPong = Date.now();
      this.log.info({ url: redact(this.options.url) }, 'signalling connected');
      this.emit('connected');
      clearInterval(this.keepalive);
      this.keepalive = setInterval(() => this.ping(), KEEPALIVE_MS);
    });
    socket.on('message', (data, isBinary) =>
      this.onFrame(isBinary ? (data as Buffer) : (data as Buffer).toString('utf8')),
    );
    socket.on('error', (err) =>
      this.log.warn({ code: 'SIGNALLING_ERROR', err: err.message }, 'signalling socket error'),
    );
    socket.on('close', (code, reasonBuf) => {
      clearInterval(this.keepalive);
      if (this.socket !== socket) return;
      this.socket = undefined;
      const reason = reasonBuf.toString('utf8');
      this.emit('disconnected', code, reason);
      if (this.closed) return;
      const delay = backoffDelay(this.attempt++, this.options.reconnectMinMs, this.options.reconnectMaxMs);
      this.log.warn(
        { code: 'SIGNALLING_LOST', closeCode: code, reason, retryInMs: delay },
        'signalling disconnected; reconnecting',
      );
      this.timer = setTimeout(() => this.connect(), delay);
    });
  }

  private ping(): void {
    if (Date.now() - this.lastPong > 2 * KEEPALIVE_MS) {
      this.log.warn({ code: 'SIGNALLING_TIMEOUT' }, 'signalling keepalive missed; reconnecting');
      this.socket?.terminate();
      return;
    }
    this.send(build.ping(Date.now()));
  }

  private onFrame(data: string | Buffer): void {
    const parsed = parseMessage(data, MAX_FRAME_BYTES);
    if (!parsed.ok) {
      this.log.warn(
        { code: `SIGNALLING_${parsed.code.toUpperCase()}`, reason: parsed.reason },
        'bad signalling message ignored',
      );
      return;
    }
    const m = parsed.message;
    if (isUnknown(m)) {
      this.log.debug({ type: m.type }, 'unknown signalling message ignored');
      return;
    }
    this.lastPong = Date.now();
    // A listener that throws (werift refusing what a message led to) costs that message, not the process.
    try {
      this.dispatch(m);
    } catch (err) {
      this.log.error(
        {
          code: 'SIGNALLING_HANDLER_FAILED',
          type: m.type,
          err: err instanceof Error ? err.message : String(err),
        },
        'signalling message could not be handled',
      );
    }
  }

  private dispatch(m: Message): void {
    switch (m.type) {
      case 'identify':
        this.send(build.endpointId(this.options.streamerId));
        break;
      case 'config': {
        const ice = readIceConfig(m.peerConnectionOptions);
        if (ice.problems.length > 0)
          this.log.warn(
            { code: 'SIGNALLING_BAD_CONFIG', problems: ice.problems },
            'malformed parts of config ignored',
          );
        this.peerConnectionOptions = ice.options;
        this.emit('config', ice.options);
        break;
      }
      case 'endpointIdConfirm':
        this.log.info({ streamerId: m.committedId }, 'registered');
        this.emit('registered', m.committedId);
        break;
      case 'ping':
        this.send(build.pong(m.time));
        break;
      case 'playerConnected':
      case 'playerDisconnected': {
        const id = normalisePlayerId(m.playerId);
        if (id !== undefined) this.emit(m.type, id);
        break;
      }
      case 'answer': {
        const id = normalisePlayerId(m.playerId);
        if (id !== undefined) this.emit('answer', id, m.sdp);
        break;
      }
      case 'iceCandidate': {
        const id = normalisePlayerId(m.playerId);
        if (id !== undefined) this.emit('iceCandidate', id, m.candidate);
        break;
      }
      default:
        break;
    }
  }
}

/** Logs a URL without any credentials it may carry. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    for (const key of [...u.searchParams.keys()])
      if (/token|secret|key/i.test(key)) u.searchParams.set(key, 'redacted');
    return u.toString();
  } catch {
    return 'invalid url';
  }
}
