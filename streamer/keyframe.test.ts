// Keyframe detection in RTP packets (VP8 and H.264) and the GOP cache a new player is served from.
import { describe, expect, it } from 'vitest';
import { GopCache, isKeyframePayload, isKeyframeStart, payloadOffset } from './keyframe.js';

/** An RTP packet: fixed 12-byte header (seq, timestamp) and `payload`; optional one-word header extension. */
function rtp(payload: number[], { seq = 1, ts = 1000, ext = false } = {}): Buffer {
  const head = Buffer.alloc(12);
  head[0] = 0x80 | (ext ? 0x10 : 0);
  head[1] = 96;
  head.writeUInt16BE(seq, 2);
  head.writeUInt32BE(ts, 4);
  const extension = ext ? Buffer.from([0xbe, 0xde, 0, 1, 0x10, 0xff, 0, 0]) : Buffer.alloc(0);
  return Buffer.concat([head, extension, Buffer.from(payload)]);
}

describe('isKeyframeStart', () => {
  it.each([
    ['VP8 keyframe, S=1 PID=0, P=0', 'vp8', [0x10, 0x00], true],
    ['VP8 delta frame (P=1)', 'vp8', [0x10, 0x01], false],
    ['VP8 continuation packet (S=0)', 'vp8', [0x00, 0x00], false],
    ['VP8 keyframe with 15-bit picture id', 'vp8', [0x90, 0x80, 0x81, 0x23, 0x00], true],
    ['VP8 delta with 7-bit picture id', 'vp8', [0x90, 0x80, 0x05, 0x01], false],
    ['H.264 IDR single NAL', 'h264', [0x65, 0x88], true],
    ['H.264 SPS', 'h264', [0x67, 0x42], true],
    ['H.264 non-IDR slice', 'h264', [0x41, 0x9a], false],
    ['H.264 FU-A start of IDR', 'h264', [0x7c, 0x85, 0x00], true],
    ['H.264 FU-A middle of IDR', 'h264', [0x7c, 0x05, 0x00], false],
    ['H.264 STAP-A beginning with SPS', 'h264', [0x78, 0x00, 0x0a, 0x67, 0x42], true],
  ] as const)('%s', (_n, codec, payload, key) => {
    expect(isKeyframeStart(codec, rtp([...payload]))).toBe(key);
    // The same answer from the payload alone, as a parsed packet gives it.
    expect(isKeyframePayload(codec, Buffer.from(payload))).toBe(key);
  });

  it('skips header extensions and rejects malformed packets', () => {
    expect(isKeyframeStart('h264', rtp([0x65], { ext: true }))).toBe(true);
    expect(payloadOffset(Buffer.alloc(5))).toBe(-1);
    expect(isKeyframeStart('vp8', Buffer.from([0x80, 96]))).toBe(false);
    expect(isKeyframePayload('vp8', Buffer.alloc(0))).toBe(false);
  });
});

describe('GopCache', () => {
  it('holds the keyframe and everything after it, and starts over at the next keyframe', () => {
    const c = new GopCache('vp8');
    c.push(rtp([0x10, 0x01], { seq: 1 })); // delta before any keyframe: useless to a new player
    expect(c.snapshot()).toEqual([]);
    const k1 = rtp([0x10, 0x00], { seq: 2, ts: 3000 });
    const d1 = rtp([0x10, 0x01], { seq: 3, ts: 6000 });
    c.push(k1);
    c.push(d1);
    expect(c.snapshot()).toEqual([k1, d1]);
    const k2 = rtp([0x10, 0x00], { seq: 4, ts: 9000 });
    c.push(k2);
    expect(c.snapshot()).toEqual([k2]);
  });

  it('keeps SPS, PPS and IDR of one H.264 keyframe together', () => {
    const c = new GopCache('h264');
    const sps = rtp([0x67], { seq: 1, ts: 100 });
    const pps = rtp([0x68], { seq: 2, ts: 100 });
    const idr = rtp([0x7c, 0x85], { seq: 3, ts: 100 });
    for (const p of [sps, pps, idr]) c.push(p);
    expect(c.snapshot()).toEqual([sps, pps, idr]);
  });

  it('gives up on a GOP longer than its bound', () => {
    const c = new GopCache('vp8', 3);
    c.push(rtp([0x10, 0x00]));
    for (let i = 0; i < 5; i++) c.push(rtp([0x10, 0x01]));
    expect(c.snapshot()).toEqual([]);
  });
});
