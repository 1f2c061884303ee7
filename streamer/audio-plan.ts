// Whether a stream carries audio, and where it comes from — decided from the source, STREAM_AUDIO and what
// the probes found, without touching the system. Audio is always Opus (48 kHz, stereo), what every browser
// decodes and what Unreal's Pixel Streaming sends.

import type { SourceSpec } from './source-spec.js';

/**
 * STREAM_AUDIO: 'auto' sends the source's own audio when it has some (a file with an audio stream, a clip
 * with an audio track, RTP on RTP_AUDIO_PORT); 'tone' does the same and adds a quiet 440 Hz tone when the
 * source has none (to check the audio path end to end); 'off' never sends audio.
 */
export const AUDIO_MODES = ['auto', 'tone', 'off'] as const;
export type AudioMode = (typeof AUDIO_MODES)[number];

/** Where the stream's audio comes from. */
export type AudioPlan =
  | { kind: 'none'; note?: string }
  /** The ffmpeg input's first audio stream. */
  | { kind: 'source' }
  /** A generated tone mixed in as a second ffmpeg input. */
  | { kind: 'tone' }
  /** Opus RTP from an external encoder on this UDP port. */
  | { kind: 'rtp'; port: number }
  /** No ffmpeg: the replayed WebM clip's Opus track, if it has one (known once the clip is open). */
  | { kind: 'clip' };

export interface AudioFacts {
  /** ffmpeg is on PATH. */
  ffmpeg: boolean;
  /** ffmpeg has the libopus encoder. */
  opus: boolean;
  /** A file source has at least one audio stream (undefined when not probed). */
  fileHasAudio?: boolean;
}

/** True when ffmpeg's description of an input (`ffmpeg -i <file>` on stderr) lists an audio stream. */
export function hasAudioStream(ffmpegInputInfo: string): boolean {
  return /^\s*Stream #\d+:\d+.*?: Audio: /m.test(ffmpegInputInfo);
}

/** Whether the file's audio must be probed before planning (it costs one short ffmpeg run). */
export function needsAudioProbe(source: SourceSpec, mode: AudioMode): boolean {
  return source.kind === 'file' && mode !== 'off';
}

/** Plans the stream's audio. `rtpAudioPort` is RTP_AUDIO_PORT (0 = none). */
export function planAudio(
  source: SourceSpec,
  mode: AudioMode,
  rtpAudioPort: number,
  facts: AudioFacts,
): AudioPlan {
  if (mode === 'off') return { kind: 'none' };
  // A processing session sends back video only; the player's own microphone is theirs, not ours to echo.
  if (source.kind === 'process') return { kind: 'none' };
  if (source.kind === 'rtp') {
    if (rtpAudioPort > 0) return { kind: 'rtp', port: rtpAudioPort };
    return mode === 'tone'
      ? {
          kind: 'none',
          note: 'STREAM_AUDIO=tone needs ffmpeg; an rtp: source sends audio only through RTP_AUDIO_PORT',
        }
      : { kind: 'none' };
  }
  if (!facts.ffmpeg) return { kind: 'clip' };
  const own = source.kind === 'file' && facts.fileHasAudio === true;
  if (!own && mode === 'auto') return { kind: 'none' };
  if (!facts.opus) return { kind: 'none', note: 'audio not sent: ffmpeg has no libopus encoder' };
  return own ? { kind: 'source' } : { kind: 'tone' };
}
