// What an Unreal streamer answers on the data channel, as pure functions of the decoded request: initial
// settings, latency-test timings, echoes and quality-control ownership. The streamer only sends the bytes.
import { encodeFlagMessage, encodeStringMessage, FROM_STREAMER, type InputEvent } from './input-protocol.js';

export interface ReplyContext {
  /** Milliseconds since the epoch, when the request arrived. */
  receivedAtMs: number;
  fps: number;
  bitrateKbps: number;
}

/** The InitialSettings JSON, in the shape Epic's frontend reads (PixelStreaming, Encoder, WebRTC, ConfigOptions). */
export function initialSettings(ctx: ReplyContext): Record<string, unknown> {
  return {
    PixelStreaming: { AllowPixelStreamingCommands: false, DisableLatencyTest: false },
    Encoder: {
      TargetBitrate: ctx.bitrateKbps * 1000,
      MaxBitrate: ctx.bitrateKbps * 1000,
      MinQP: 0,
      MaxQP: 51,
      RateControl: 'CBR',
      FillerData: 0,
      MultiPass: 'DISABLED',
    },
    WebRTC: {
      DegradationPref: 'MAINTAIN_FRAMERATE',
      FPS: ctx.fps,
      MinBitrate: 100_000,
      MaxBitrate: ctx.bitrateKbps * 1000,
      LowQP: 25,
      HighQP: 37,
    },
    ConfigOptions: {},
  };
}

/**
 * LatencyTest timings. Our encoder runs continuously, so capture and encode times are those of the frame in
 * flight; we report receipt and transmission honestly and no invented encode figures.
 */
export function latencyTimings(ctx: ReplyContext, sentAtMs: number): Record<string, number> {
  return {
    ReceiptTimeMs: ctx.receivedAtMs,
    PreCaptureTimeMs: ctx.receivedAtMs,
    PostCaptureTimeMs: ctx.receivedAtMs,
    PreEncodeTimeMs: ctx.receivedAtMs,
    PostEncodeTimeMs: ctx.receivedAtMs,
    EncodeMs: 0,
    CaptureToSendMs: 0,
    TransmissionTimeMs: sentAtMs,
  };
}

export type InputAction =
  | { kind: 'reply'; data: Buffer }
  | { kind: 'keyframe' }
  /** Give this player quality control (and take it from the others). */
  | { kind: 'quality-control' }
  | { kind: 'none' };

/** The streamer's response to one decoded message. */
export function actionFor(event: InputEvent, ctx: ReplyContext, nowMs: () => number = Date.now): InputAction {
  switch (event.type) {
    case 'RequestInitialSettings':
      return {
        kind: 'reply',
        data: encodeStringMessage(FROM_STREAMER.InitialSettings, JSON.stringify(initialSettings(ctx))),
      };
    case 'LatencyTest':
      return {
        kind: 'reply',
        data: encodeStringMessage(FROM_STREAMER.LatencyTest, JSON.stringify(latencyTimings(ctx, nowMs()))),
      };
    case 'TestEcho':
      return { kind: 'reply', data: encodeStringMessage(FROM_STREAMER.TestEcho, String(event.text ?? '')) };
    case 'IFrameRequest':
      return { kind: 'keyframe' };
    case 'RequestQualityControl':
      return { kind: 'quality-control' };
    default:
      return { kind: 'none' };
  }
}

/** QualityControlOwnership for one player. */
export function qualityOwnership(owner: boolean): Buffer {
  return encodeFlagMessage(FROM_STREAMER.QualityControlOwnership, owner);
}
