// A stand-in for a Pixel Streaming streamer over a real WebSocket: it registers on a sidecar's streamer
// port, answers `playerConnected` with an offer and trickles candidates, answers pings, and records every
// message. Options model the streamer generations of docs/protocol.md §3.
import WebSocket from 'ws';
import { SignallingClient, opened, type Received } from './player-client.js';

export interface StreamerOptions {
  /** Id announced in endpointId; null never sends endpointId (UE 4.27). Default "DefaultStreamer". */
  id?: string | null;
  /** protocolVersion in endpointId; null omits it (UE 5.0–5.4). Default "1.1.0". */
  protocolVersion?: string | null;
  /** Send an offer (and candidates) on playerConnected. Default true. */
  autoOffer?: boolean;
  /** ICE candidates trickled after each offer. Default 2. */
  candidates?: number;
  /** Send playerId as a number (UE 5.0/5.1 with integer ids). Default false. */
  numericPlayerIds?: boolean;
  /** Answer a browser's offer (UE 4.27, browser-offer mode). Default true. */
  autoAnswer?: boolean;
  /** Close the socket (code) on any type this generation does not know; models old UE builds. */
  closeOnUnknown?: { code: number; known: string[] };
  /** Extra WebSocket client options. */
  ws?: WebSocket.ClientOptions;
}

export const STAND_IN_SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=stand-in\r\nt=0 0\r\n';

export class StreamerStandIn extends SignallingClient {
  /** The id the server committed (endpointIdConfirm), once known. */
  committedId: string | undefined;
  /** Types that made it close (closeOnUnknown), if any. */
  killedBy: string | undefined;
  private readonly opts: Required<Omit<StreamerOptions, 'closeOnUnknown' | 'ws'>> &
    Pick<StreamerOptions, 'closeOnUnknown'>;

  private constructor(ws: WebSocket, options: StreamerOptions) {
    super(ws);
    this.opts = {
      id: options.id === undefined ? 'DefaultStreamer' : options.id,
      protocolVersion: options.protocolVersion === undefined ? '1.1.0' : options.protocolVersion,
      autoOffer: options.autoOffer ?? true,
      candidates: options.candidates ?? 2,
      numericPlayerIds: options.numericPlayerIds ?? false,
      autoAnswer: options.autoAnswer ?? true,
      closeOnUnknown: options.closeOnUnknown,
    };
  }

  /** Connects to `url` (a sidecar's streamer port, with `?token=` when required). */
  static async start(url: string, options: StreamerOptions = {}): Promise<StreamerStandIn> {
    const s = new StreamerStandIn(new WebSocket(url, options.ws), options);
    await opened(s.ws);
    return s;
  }

  /** Waits until the server confirmed the id (versioned) or, for older generations, a short settle time. */
  async registered(timeoutMs = 3000): Promise<string> {
    if (this.opts.protocolVersion !== null && this.opts.id !== null) {
      const m = await this.nextOf('endpointIdConfirm', timeoutMs);
      return m.committedId as string;
    }
    return this.opts.id ?? 'DefaultStreamer';
  }

  private pid(playerId: unknown): unknown {
    return this.opts.numericPlayerIds ? Number(playerId) : playerId;
  }

  protected override onReceived(msg: Received): void {
    const kill = this.opts.closeOnUnknown;
    if (kill && !kill.known.includes(msg.type)) {
      this.killedBy = msg.type;
      this.ws.close(kill.code, `unknown message ${msg.type}`);
      return;
    }
    switch (msg.type) {
      case 'identify':
        if (this.opts.id !== null) {
          const m: Record<string, unknown> = { type: 'endpointId', id: this.opts.id };
          if (this.opts.protocolVersion !== null) m.protocolVersion = this.opts.protocolVersion;
          this.send(m);
        }
        break;
      case 'endpointIdConfirm':
        this.committedId = msg.committedId as string;
        break;
      case 'playerConnected':
        if (this.opts.autoOffer) {
          this.send({ type: 'offer', sdp: STAND_IN_SDP, playerId: this.pid(msg.playerId) });
          this.trickle(msg.playerId);
        }
        break;
      case 'offer':
        if (this.opts.autoAnswer) {
          this.send({ type: 'answer', sdp: STAND_IN_SDP, playerId: this.pid(msg.playerId) });
          this.trickle(msg.playerId);
        }
        break;
      case 'ping':
        this.send({ type: 'pong', time: msg.time });
        break;
    }
  }

  /** Sends `n` host candidates to `playerId`. */
  trickle(playerId: unknown, n = this.opts.candidates): void {
    for (let i = 0; i < n; i++) {
      this.send({
        type: 'iceCandidate',
        playerId: this.pid(playerId),
        candidate: {
          candidate: `candidate:${i + 1} 1 udp 2122260223 127.0.0.1 ${50000 + i} typ host`,
          sdpMid: '0',
          sdpMLineIndex: 0,
        },
      });
    }
  }

  disconnectPlayer(playerId: string, reason?: string): void {
    this.send(
      reason === undefined
        ? { type: 'disconnectPlayer', playerId: this.pid(playerId) }
        : { type: 'disconnectPlayer', playerId: this.pid(playerId), reason },
    );
  }
}
