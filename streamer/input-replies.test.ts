// The Unreal-style replies to input-channel requests: InitialSettings, LatencyTest, TestEcho, keyframe
// requests and quality-control ownership.
import { describe, expect, it } from 'vitest';
import { encodeInput, decodeInput, FROM_STREAMER, type InputEvent } from './input-protocol.js';
import { actionFor, qualityOwnership } from './input-replies.js';

const ctx = { receivedAtMs: 1_700_000_000_000, fps: 30, bitrateKbps: 2500 };
const event = (data: Uint8Array): InputEvent => {
  const r = decodeInput(data);
  if (!r.ok) throw new Error(r.reason);
  return r.event;
};
const utf16 = (b: Buffer) => b.subarray(1).toString('utf16le');

describe('actionFor', () => {
  it('answers RequestInitialSettings with InitialSettings JSON in the shape Epic reads', () => {
    const a = actionFor(event(encodeInput('RequestInitialSettings')), ctx);
    expect(a.kind).toBe('reply');
    if (a.kind !== 'reply') return;
    expect(a.data[0]).toBe(FROM_STREAMER.InitialSettings);
    const s = JSON.parse(utf16(a.data)) as Record<string, Record<string, unknown>>;
    expect(Object.keys(s).sort()).toEqual(['ConfigOptions', 'Encoder', 'PixelStreaming', 'WebRTC']);
    expect(s.WebRTC?.FPS).toBe(30);
    expect(s.Encoder?.MaxBitrate).toBe(2_500_000);
  });

  it('answers LatencyTest with receipt and transmission times', () => {
    const a = actionFor(
      event(encodeInput('LatencyTest', { json: '{"StartTime":1}' })),
      ctx,
      () => ctx.receivedAtMs + 3,
    );
    if (a.kind !== 'reply') throw new Error('no reply');
    expect(a.data[0]).toBe(FROM_STREAMER.LatencyTest);
    const t = JSON.parse(utf16(a.data)) as Record<string, number>;
    expect(t.ReceiptTimeMs).toBe(ctx.receivedAtMs);
    expect(t.TransmissionTimeMs).toBe(ctx.receivedAtMs + 3);
  });

  it('echoes TestEcho text back as TestEcho', () => {
    const a = actionFor(event(encodeInput('TestEcho', { text: 'ping ✓' })), ctx);
    if (a.kind !== 'reply') throw new Error('no reply');
    expect(a.data[0]).toBe(FROM_STREAMER.TestEcho);
    expect(utf16(a.data)).toBe('ping ✓');
  });

  it('turns IFrameRequest into a keyframe request and RequestQualityControl into ownership', () => {
    expect(actionFor(event(encodeInput('IFrameRequest')), ctx)).toEqual({ kind: 'keyframe' });
    expect(actionFor(event(encodeInput('RequestQualityControl')), ctx)).toEqual({ kind: 'quality-control' });
    expect(actionFor(event(encodeInput('MouseMove', { x: 1, y: 2 })), ctx)).toEqual({ kind: 'none' });
  });

  it('encodes ownership as id + one flag byte', () => {
    expect([...qualityOwnership(true)]).toEqual([FROM_STREAMER.QualityControlOwnership, 1]);
    expect([...qualityOwnership(false)]).toEqual([FROM_STREAMER.QualityControlOwnership, 0]);
  });
});
