// The stream's one encode. Whatever produces the video — an ffmpeg child (encoder-source.ts), an external
// RTP encoder (rtp-in-source.ts), or werift replaying a WebM clip (replay-source.ts) — hands its RTP
// packets to a fan-out (fan-out.ts), which copies them into every attached player's track.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MediaStreamTrack } from 'werift';
import type { Logger } from '../common/index.js';
import type { AudioPlan } from './audio-plan.js';
import type { Codec, StreamerConfig } from './config.js';
import type { MediaPlan } from './encoder-select.js';
import { startEncoder } from './encoder-source.js';
import { FanOut } from './fan-out.js';
import { GopCache } from './keyframe.js';
import { startReplay } from './replay-source.js';
import { startRtpIn } from './rtp-in-source.js';

export const BUNDLED_CLIP = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'assets',
  'fallback-vp8.webm',
);

/** RTP timestamp ticks of one 20 ms Opus frame at 48 kHz. */
const OPUS_FRAME_TICKS = 960;

export interface MediaSourceStats {
  packets: number;
  /** RTP packets with the marker bit: one per video frame. */
  frames: number;
  bytes: number;
  encoderStarts: number;
  keyframeRequests: number;
}

export interface MediaSource {
  /**
   * Starts feeding `track` (a player's own track, once its connection is up). With `withGop`, the cached
   * group of pictures goes first. Returns the detach function.
   */
  attach(track: MediaStreamTrack, withGop: boolean): () => void;
  /** Whether the stream has audio (Opus); `attachAudio` feeds a player's audio track. */
  readonly audio: boolean;
  attachAudio(track: MediaStreamTrack): () => void;
  /** The codec the RTP on `track` carries. */
  readonly codec: Codec;
  readonly description: string;
  /** A new player joined or a browser sent PLI/FIR. */
  requestKeyframe(reason: string): void;
  stats(): MediaSourceStats;
  /**
   * Resolves with the reason when the source has given up for good (its encoder kept exiting without
   * sending a packet); the streamer then exits 1. Never resolves for sources that cannot give up.
   */
  readonly failed: Promise<string>;
  close(): Promise<void>;
}

/** Starts the source described by `plan` (and `audio`); resolves once it is running (not necessarily sending yet). */
export async function startMediaSource(
  plan: MediaPlan,
  audio: AudioPlan,
  config: StreamerConfig,
  drawtext: boolean,
  log: Logger,
): Promise<MediaSource> {
  const codec: Codec = plan.kind === 'replay' ? 'vp8' : config.codec;
  const fan = new FanOut(new GopCache(codec), Math.round(90_000 / config.fps));
  const audioFan = new FanOut(undefined, OPUS_FRAME_TICKS);
  switch (plan.kind) {
    case 'rtp-in':
      return startRtpIn(fan, audio.kind === 'rtp' ? audioFan : undefined, audio, config, log);
    case 'replay':
      return startReplay(
        fan,
        audio.kind === 'clip' ? audioFan : undefined,
        plan.path === 'bundled' ? (config.fallbackClip ?? BUNDLED_CLIP) : plan.path,
        log,
      );
    case 'ffmpeg':
      return startEncoder(
        fan,
        audio.kind === 'source' || audio.kind === 'tone' ? { fan: audioFan, from: audio.kind } : undefined,
        plan.encoder,
        config,
        drawtext,
        log,
      );
    case 'process':
      throw new Error('a processing plan has no shared source (see processing/)');
  }
}
