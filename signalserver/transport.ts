// One signalling socket: frames in, parsed messages out, with the defences every connection gets — a size
// cap (ws maxPayload closes with 1009), a token-bucket rate limit (then CLOSE.rateLimited), lenient parsing
// with each refusal reported, and transport-level keepalive. Protocol logic never touches `ws` directly.
import type { WebSocket } from 'ws';
import { CLOSE, encode, parseMessage, type Message, type UnknownMessage } from '../common/index.js';
import { tokenBucket } from './rate-limit.js';

/** What the protocol layer sees of a socket; tests may implement it with plain arrays. */
export interface Connection {
  send(message: Message): void;
  close(code: number, reason: string): void;
  readonly isOpen: boolean;
  readonly remote: string;
  /** Bytes accepted for this peer but not yet taken by the network (it reads slowly, or not at all). */
  readonly bufferedAmount: number;
}

export type RejectionReason =
  | 'not_json'
  | 'not_object'
  | 'no_type'
  | 'bad_field'
  | 'too_large'
  | 'rate_limited'
  | 'unknown_type'
  | 'wrong_role'
  | 'not_subscribed'
  | 'not_subscriber'
  | 'unauthorized'
  | 'unknown_streamer'
  | 'draining'
  | 'reserved'
  | 'full'
  | 'no_streamer'
  | 'bad_frame'
  | 'too_many_sockets'
  | 'backlogged'
  | 'handler_failed';

export interface TransportHandlers {
  onMessage(message: Message | UnknownMessage): void;
  onReject(reason: RejectionReason, detail: string): void;
  onClose(code: number, reason: string): void;
}

export interface TransportOptions {
  maxBytes: number;
  rate: { perSecond: number; burst: number };
  keepaliveSeconds: number;
  /** A peer with more than this queued for it is cut: memory stays bounded whatever it stops reading. */
  maxBufferedBytes: number;
}

// RFC 6455 allows 123 bytes of close reason; `ws` throws on more, which would escape the message handler.
const MAX_CLOSE_REASON_BYTES = 123;

/** Cuts a close reason (a streamer's `disconnectPlayer.reason` is free text) to 123 bytes on a character boundary. */
function closeReason(reason: string): string {
  let out = '';
  let bytes = 0;
  for (const ch of reason) {
    bytes += Buffer.byteLength(ch);
    if (bytes > MAX_CLOSE_REASON_BYTES) break;
    out += ch;
  }
  return out;
}

export function attachTransport(
  ws: WebSocket,
  remote: string,
  options: TransportOptions,
  handlers: TransportHandlers,
): Connection {
  const bucket = tokenBucket(options.rate.perSecond, options.rate.burst, Date.now());
  let open = true;
  let alive = true;
  // Coalesce every frame sent to this socket in one event-loop turn into one write: the streamer socket
  // gets a burst per player event, and one syscall per frame dominated the profile. `ws` keeps the TCP
  // socket private; without it, frames are simply written one by one.
  const raw = (ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
  let corked = false;
  const uncork = () => {
    corked = false;
    raw?.uncork();
  };
  const conn: Connection = {
    remote,
    get isOpen() {
      return open && ws.readyState === ws.OPEN;
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    send(message) {
      if (ws.readyState !== ws.OPEN) return;
      if (raw && !corked) {
        corked = true;
        raw.cork();
        setImmediate(uncork);
      }
      ws.send(encode(message));
      if (ws.bufferedAmount > options.maxBufferedBytes) {
        // It is not reading: a close frame would only queue behind the rest, so drop the connection.
        handlers.onReject('backlogged', `peer not reading: ${ws.bufferedAmount} bytes queued for it`);
        finish(CLOSE.backlogged, 'not reading');
        ws.terminate();
      }
    },
    close(code, reason) {
      if (!open) return;
      finish(code, reason);
      ws.close(code, closeReason(reason));
      // A peer that never answers the close frame must not hold the socket.
      setTimeout(() => ws.terminate(), 5000).unref();
    },
  };
  function finish(code: number, reason: string) {
    if (!open) return;
    open = false;
    if (timer) clearInterval(timer);
    handlers.onClose(code, reason);
  }
  const timer =
    options.keepaliveSeconds > 0
      ? setInterval(() => {
          if (!alive) {
            ws.terminate();
            return;
          }
          alive = false;
          ws.ping();
        }, options.keepaliveSeconds * 1000)
      : undefined;
  timer?.unref();
  ws.on('pong', () => (alive = true));
  // Text and binary frames alike are UTF-8 JSON (browsers may send either).
  ws.on('message', (data) => {
    if (!open) return;
    if (!bucket.take(Date.now())) {
      handlers.onReject('rate_limited', 'message rate over the per-connection limit');
      conn.close(CLOSE.rateLimited, 'rate limited');
      return;
    }
    const parsed = parseMessage(data, options.maxBytes);
    if (!parsed.ok) {
      handlers.onReject(parsed.code, parsed.reason);
      return;
    }
    try {
      handlers.onMessage(parsed.message);
    } catch (err) {
      // A bug met by one peer's message costs that peer its connection, never the process and everyone else.
      handlers.onReject(
        'handler_failed',
        `handling ${parsed.message.type} failed: ${(err as Error).message}`,
      );
      conn.close(CLOSE.internalError, 'internal error');
    }
  });
  ws.on('error', (err: Error & { code?: string }) => {
    if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')
      handlers.onReject('too_large', `frame over ${options.maxBytes} bytes`);
    else handlers.onReject('bad_frame', `invalid frame: ${err.code ?? err.message}`);
    // ws closes the socket itself (1009 for oversized frames, 1002 for protocol errors).
  });
  ws.on('close', (code, reason) => finish(code, reason.toString()));
  return conn;
}
