// Recognises the first RTP packet of a keyframe, per codec, so the streamer can keep the current group of
// pictures (keyframe and the frames since) for players that join between keyframes. Pure byte inspection.
import type { Codec } from './config.js';

const RTP_HEADER = 12;

/** Offset of the RTP payload (after CSRCs and the header extension), or -1 for a malformed packet. */
export function payloadOffset(packet: Uint8Array): number {
  if (packet.length < RTP_HEADER) return -1;
  let at = RTP_HEADER + (packet[0]! & 0x0f) * 4;
  if ((packet[0]! & 0x10) !== 0) {
    if (packet.length < at + 4) return -1;
    at += 4 + ((packet[at + 2]! << 8) | packet[at + 3]!) * 4;
  }
  return at < packet.length ? at : -1;
}

/** VP8 (RFC 7741): start of partition 0 with the P bit of the payload header clear. */
function vp8Keyframe(p: Uint8Array, at: number): boolean {
  const d = p[at]!;
  const start = (d & 0x10) !== 0 && (d & 0x07) === 0;
  if (!start) return false;
  let i = at + 1;
  if ((d & 0x80) !== 0) {
    const x = p[i++];
    if (x === undefined) return false;
    if (x & 0x80) i += (p[i] ?? 0) & 0x80 ? 2 : 1; // PictureID, 7 or 15 bits
    if (x & 0x40) i += 1; // TL0PICIDX
    if (x & 0x30) i += 1; // TID/KEYIDX
  }
  return i < p.length && (p[i]! & 0x01) === 0;
}

/** H.264 (RFC 6184): an SPS or IDR NAL unit, alone, first in a STAP-A, or starting an FU-A. */
function h264Keyframe(p: Uint8Array, at: number): boolean {
  const type = p[at]! & 0x1f;
  const key = (t: number) => t === 5 || t === 7;
  if (type === 24) return at + 3 < p.length && key(p[at + 3]! & 0x1f);
  if (type === 28) return at + 1 < p.length && (p[at + 1]! & 0x80) !== 0 && key(p[at + 1]! & 0x1f);
  return key(type);
}

export function isKeyframeStart(codec: Codec, packet: Uint8Array): boolean {
  const at = payloadOffset(packet);
  if (at < 0) return false;
  return codec === 'vp8' ? vp8Keyframe(packet, at) : h264Keyframe(packet, at);
}

/** The same test on a payload already split from its RTP header (an empty payload is no keyframe). */
export function isKeyframePayload(codec: Codec, payload: Uint8Array): boolean {
  if (payload.length === 0) return false;
  return codec === 'vp8' ? vp8Keyframe(payload, 0) : h264Keyframe(payload, 0);
}

/** The packets of the current group of pictures, bounded. */
export class GopCache {
  private packets: Buffer[] = [];
  private started = false;

  constructor(
    private readonly codec: Codec,
    /** A GOP longer than this is not cached (a new player then waits for the next keyframe). */
    private readonly maxPackets = 4_000,
  ) {}

  push(packet: Buffer): void {
    if (isKeyframeStart(this.codec, packet)) {
      // An SPS is followed by PPS/IDR packets of the same keyframe: keep them together.
      const continuing = this.started && this.packets.length > 0 && this.sameTimestamp(packet);
      if (!continuing) this.packets = [];
      this.started = true;
    }
    if (!this.started) return;
    if (this.packets.length >= this.maxPackets) {
      this.packets = [];
      this.started = false;
      return;
    }
    this.packets.push(packet);
  }

  /** Keyframe first, then every packet since; empty before the first keyframe. */
  snapshot(): Buffer[] {
    return [...this.packets];
  }

  reset(): void {
    this.packets = [];
    this.started = false;
  }

  private sameTimestamp(packet: Buffer): boolean {
    const last = this.packets.at(-1);
    return (
      last !== undefined &&
      last.readUInt32BE(4) === packet.readUInt32BE(4) &&
      isKeyframeStart(this.codec, this.packets[0]!)
    );
  }
}
