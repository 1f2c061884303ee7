// The fan-out behind every shared source: each RTP packet is parsed once and handed to every attached
// player's sender, so N players cost N SRTP encryptions and sends, never N encodes. Every player's sender is
// the lean one (lean-rtp-sender.ts), which writes the player's own header into its own buffer and never
// touches the packet, so all of them share it; the fan-out calls it directly rather than through werift's
// track event. Each player still has its own track: a source change
// (`sourceChanged`) moves each sender's sequence/timestamp offsets, which must not leak between players. A
// player that joins between keyframes first gets the current group of pictures (keyframe and the frames
// since), so it can decode at once.
import { RtpPacket, type MediaStreamTrack } from 'werift';
import type { GopCache } from './keyframe.js';
import { leanSendOf } from './lean-rtp-sender.js';
import type { MediaSourceStats } from './media-source.js';

/** Copies every packet to the attached tracks and, for video, keeps the current GOP. */
export class FanOut {
  /** Each attached track and how a packet reaches its sender. */
  private readonly tracks = new Map<MediaStreamTrack, (packet: RtpPacket) => void>();
  readonly stats: MediaSourceStats = {
    packets: 0,
    frames: 0,
    bytes: 0,
    encoderStarts: 0,
    keyframeRequests: 0,
  };

  constructor(
    private readonly gop: GopCache | undefined,
    private readonly frameTicks: number,
  ) {}

  feed(packet: Buffer): void {
    const { stats } = this;
    stats.packets++;
    stats.bytes += packet.length;
    if ((packet[1]! & 0x80) !== 0) stats.frames++;
    this.gop?.push(packet);
    if (this.tracks.size === 0) return;
    const parsed = RtpPacket.deSerialize(packet);
    for (const send of this.tracks.values()) send(parsed);
  }

  /** The encoder behind the stream changed (restart, loop): keep each player's numbering continuous. */
  sourceChanged(first: Buffer): void {
    this.gop?.reset();
    // werift maps the new first packet onto the *last* sent sequence number and timestamp; step back one
    // packet and one frame so it lands after them instead of duplicating the last packet.
    const header = {
      sequenceNumber: (first.readUInt16BE(2) - 1) & 0xffff,
      timestamp: (first.readUInt32BE(4) - this.frameTicks) >>> 0,
    };
    for (const t of this.tracks.keys()) t.onSourceChanged.execute(header);
  }

  /**
   * Adds `track` on the next turn of the event loop, with the current group of pictures first when
   * `withGop`. Players attach the moment their DTLS handshake completes, and werift's last handshake
   * flight may then still wait in its promise chain while the native send path writes to the socket at
   * once: a browser drops SRTP that arrives before its own handshake is done, and with it the whole cached
   * group of pictures (measured: first frame 720 ms instead of 230, the wait for the next keyframe).
   */
  attach(track: MediaStreamTrack, withGop: boolean): () => void {
    const send = leanSendOf(track) ?? ((p: RtpPacket) => track.writeRtp(p));
    const join = setImmediate(() => {
      if (withGop && this.gop) for (const p of this.gop.snapshot()) send(RtpPacket.deSerialize(p));
      this.tracks.set(track, send);
    });
    return () => {
      clearImmediate(join);
      this.tracks.delete(track);
    };
  }
}

/** A player's audio track gets nothing when the stream has no audio. */
export const noAudio = () => () => undefined;
/** `failed` of a source that never gives up. */
export const never = new Promise<string>(() => undefined);
