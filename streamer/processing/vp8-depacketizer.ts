// VP8 frames out of RTP payloads (RFC 7741), for the decoder's IVF input. Pure: packets in, whole frames
// out. A frame with a missing packet is dropped and reported, so the caller can ask the browser for a
// keyframe and skip to it; a decoder fed a broken frame shows smeared pictures until the next one anyway.

export type Vp8Output = { kind: 'frame'; data: Buffer; keyframe: boolean } | { kind: 'lost' };

interface Descriptor {
  /** Start of VP8 partition 0: the first packet of a frame. */
  frameStart: boolean;
  /** Offset of the VP8 payload after the descriptor. */
  offset: number;
}

/** Reads the payload descriptor; undefined for a payload too short to hold one. */
export function vp8Descriptor(payload: Buffer): Descriptor | undefined {
  if (payload.length < 1) return undefined;
  const b0 = payload[0]!;
  let offset = 1;
  if (b0 & 0x80) {
    const b1 = payload[offset++];
    if (b1 === undefined) return undefined;
    if (b1 & 0x80) offset += (payload[offset] ?? 0) & 0x80 ? 2 : 1; // I: 7- or 15-bit picture id
    if (b1 & 0x40) offset++; // L: TL0PICIDX
    if (b1 & 0x30) offset++; // T or K: TID/Y/KEYIDX share one byte
  }
  if (offset >= payload.length) return undefined;
  return { frameStart: (b0 & 0x10) !== 0 && (b0 & 0x07) === 0, offset };
}

export class Vp8Depacketizer {
  private parts: Buffer[] = [];
  private timestamp: number | undefined;
  private nextSeq: number | undefined;
  private broken = false;
  private keyframe = false;

  push(seq: number, timestamp: number, marker: boolean, payload: Buffer): Vp8Output[] {
    const out: Vp8Output[] = [];
    const d = vp8Descriptor(payload);
    const gap = this.nextSeq !== undefined && seq !== this.nextSeq;
    this.nextSeq = (seq + 1) & 0xffff;
    if (this.timestamp !== timestamp) {
      // A new frame began before the last one ended: the last one lost its tail.
      if (this.parts.length > 0) out.push({ kind: 'lost' });
      this.parts = [];
      this.timestamp = timestamp;
      this.broken = false;
    } else if (gap) {
      this.broken = true;
    }
    if (!d) {
      this.broken = true;
    } else if (d.frameStart) {
      this.parts = [];
      this.broken = false;
      this.keyframe = (payload[d.offset]! & 0x01) === 0;
      this.parts.push(payload.subarray(d.offset));
    } else if (this.parts.length === 0) {
      this.broken = true; // the frame's first packet never came
    } else {
      this.parts.push(payload.subarray(d.offset));
    }
    if (marker) {
      if (this.broken || this.parts.length === 0) out.push({ kind: 'lost' });
      else out.push({ kind: 'frame', data: Buffer.concat(this.parts), keyframe: this.keyframe });
      this.parts = [];
      this.timestamp = undefined;
      this.broken = false;
    }
    return out;
  }
}
