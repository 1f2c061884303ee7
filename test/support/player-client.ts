// A real WebSocket signalling client for tests and benchmarks: records every message it receives and
// offers strict "the next message is…" and "nothing else arrives" assertions, as Epic's checker demands.
import WebSocket from 'ws';

export type Received = { type: string; [field: string]: unknown };

export interface Closed {
  code: number;
  reason: string;
}

export class SignallingClient {
  /** Every message received, in order. */
  readonly received: Received[] = [];
  /** Resolves once the socket has closed. */
  readonly closed: Promise<Closed>;
  private cursor = 0;
  private wake: (() => void) | undefined;

  protected constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.concat(data as Buffer[]).toString('utf8');
      let msg: Received;
      try {
        msg = JSON.parse(text) as Received;
      } catch {
        msg = { type: '<not json>', text };
      }
      this.received.push(msg);
      this.onReceived(msg);
      this.wake?.();
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => (resolve({ code, reason: reason.toString() }), this.wake?.())),
    );
  }

  /** Opens a socket to `url` and resolves once it is open. */
  static async open(url: string, options?: WebSocket.ClientOptions): Promise<SignallingClient> {
    const c = new SignallingClient(new WebSocket(url, options));
    await opened(c.ws);
    return c;
  }

  /** Hook for subclasses that answer messages automatically. */
  protected onReceived(_msg: Received): void {}

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(message: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer, binary = typeof data !== 'string'): void {
    this.ws.send(data, { binary });
  }

  /**
   * Strict: the next unread message, which must be of `type` when given (else it throws, naming what came).
   * Rejects after `timeoutMs` or when the socket closes first.
   */
  async next(type?: string, timeoutMs = 3000): Promise<Received> {
    const msg = await this.take(timeoutMs, type ?? 'any message');
    if (type !== undefined && msg.type !== type)
      throw new Error(`expected "${type}", got ${JSON.stringify(msg)}`);
    return msg;
  }

  /** Lenient: skips unread messages until one of `type` arrives. */
  async nextOf(type: string, timeoutMs = 3000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const msg = await this.take(Math.max(1, deadline - Date.now()), type);
      if (msg.type === type) return msg;
    }
  }

  /**
   * Resolves when no unread message arrives within `ms`; throws naming the message otherwise. A window, for
   * what the server might send unprompted (Epic's checker); for what a message may have caused, use
   * expectNothingFrom, which waits for no clock.
   */
  async expectSilence(ms: number): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    this.expectNothingUnread();
  }

  /**
   * Nothing unread once the server has answered a ping from each of `senders` (the sockets whose messages
   * could make it send something here) and then one from this socket. One socket keeps its order and the
   * server handles a socket's messages in turn, so whatever those messages caused here arrived before the
   * last pong. The pongs are taken out; other messages stay unread.
   */
  async expectNothingFrom(...senders: SignallingClient[]): Promise<void> {
    for (const c of [...senders, this]) await c.pingPong();
    this.expectNothingUnread();
  }

  private expectNothingUnread(): void {
    const extra = this.received.slice(this.cursor);
    if (extra.length > 0) throw new Error(`unexpected message(s): ${JSON.stringify(extra)}`);
  }

  private static pings = 0;

  /** A ping through the server and its pong, which is taken out of `received`. */
  private async pingPong(timeoutMs = 3000): Promise<void> {
    const time = 4_000_000_000 + ++SignallingClient.pings; // no test sends a ping with such a time
    this.send({ type: 'ping', time });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.received.findIndex((m, i) => i >= this.cursor && m.type === 'pong' && m.time === time);
      if (at >= 0) {
        this.received.splice(at, 1);
        return;
      }
      await this.arrival(deadline, timeoutMs, 'a pong');
    }
  }

  /** Unread messages, without consuming them. */
  unread(): Received[] {
    return this.received.slice(this.cursor);
  }

  close(code = 1000, reason = ''): Promise<Closed> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.close(code, reason);
    return this.closed;
  }

  /** Closes without a close handshake (a dropped connection). */
  terminate(): Promise<Closed> {
    this.ws.terminate();
    return this.closed;
  }

  private async take(timeoutMs: number, what: string): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    while (this.cursor >= this.received.length) await this.arrival(deadline, timeoutMs, what);
    return this.received[this.cursor++]!;
  }

  /** Resolves at the next message (or close); throws when the socket is closed or `deadline` has passed. */
  private async arrival(deadline: number, timeoutMs: number, what: string): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting for ${what}`);
    const left = deadline - Date.now();
    if (left <= 0)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; got so far: ${JSON.stringify(this.received)}`,
      );
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, left);
      this.wake = () => (clearTimeout(timer), resolve());
    });
    this.wake = undefined;
  }
}

/** A browser-like player: `config` arrives first, then it lists, subscribes and answers. */
export class PlayerClient extends SignallingClient {
  /** Connects and consumes the initial `config` message (strict: it must be the first message). */
  static async connect(url: string, options?: WebSocket.ClientOptions): Promise<PlayerClient> {
    const p = new PlayerClient(new WebSocket(url, options));
    await opened(p.ws);
    await p.next('config');
    return p;
  }

  /** Sends listStreamers and returns the ids of the streamerList reply. */
  async listStreamers(): Promise<string[]> {
    this.send({ type: 'listStreamers' });
    const m = await this.next('streamerList');
    return m.ids as string[];
  }

  subscribe(streamerId: string): void {
    this.send({ type: 'subscribe', streamerId });
  }

  /** Subscribes and waits for the streamer's offer; returns it. */
  async subscribeAndWaitOffer(streamerId: string, timeoutMs = 3000): Promise<Received> {
    this.subscribe(streamerId);
    return this.next('offer', timeoutMs);
  }

  answer(sdp = 'v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\n'): void {
    this.send({ type: 'answer', sdp });
  }

  candidate(candidate: string, sdpMid = '0', sdpMLineIndex = 0): void {
    this.send({ type: 'iceCandidate', candidate: { candidate, sdpMid, sdpMLineIndex } });
  }
}

/** Resolves once `ws` is open (listeners for messages must be attached before, as the server may talk first). */
export function opened(ws: WebSocket): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    if (ws.readyState === WebSocket.OPEN) {
      resolve(ws);
      return;
    }
    const fail = (err: Error) => reject(err);
    ws.once('error', fail);
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)),
    );
    ws.once('open', () => {
      ws.off('error', fail);
      ws.on('error', () => {});
      resolve(ws);
    });
  });
}
