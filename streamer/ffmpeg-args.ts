// The ffmpeg command line for one stream: input (test pattern, looped file, X display), one encoder, RTP out
// to the streamer's own UDP socket. Pure, so the exact flags each mode uses are tested and documented.
import type { Codec } from './config.js';
import type { VideoEncoder } from './encoder-select.js';
import type { SourceSpec } from './source-spec.js';

export interface EncodeSettings {
  source: Exclude<SourceSpec, { kind: 'rtp' | 'process' }>;
  codec: Codec;
  encoder: VideoEncoder;
  width: number;
  height: number;
  fps: number;
  bitrateKbps: number;
  keyframeIntervalSeconds: number;
  /** Whether this ffmpeg has the drawtext filter (libfreetype); the test pattern then shows a live clock. */
  drawtext: boolean;
  rtpHost: string;
  rtpPort: number;
  /** Opus audio as a second RTP output: the input's own audio stream, or a generated tone. */
  audio?: { from: 'source' | 'tone'; port: number };
}

/** RTP payload type ffmpeg stamps; werift rewrites it to the one each browser negotiated. */
export const RTP_PAYLOAD_TYPE = 96;
/** RTP payload type of the Opus output (also rewritten per sender). */
export const RTP_AUDIO_PAYLOAD_TYPE = 111;
/** Keeps every RTP packet (plus SRTP and UDP/IP headers) under a 1280-byte path MTU. */
export const RTP_PACKET_BYTES = 1200;

/** GOP length in frames for the configured keyframe interval (at least 1). */
export function gopFrames(fps: number, keyframeIntervalSeconds: number): number {
  return Math.max(1, Math.round(fps * keyframeIntervalSeconds));
}

function inputArgs(s: EncodeSettings): string[] {
  switch (s.source.kind) {
    case 'testsrc':
      // -re paces the generator at real time; lavfi would otherwise produce frames as fast as it can.
      return ['-re', '-f', 'lavfi', '-i', `testsrc2=size=${s.width}x${s.height}:rate=${s.fps}`];
    case 'file':
      return ['-re', '-stream_loop', '-1', '-i', s.source.path];
    case 'x11':
      return [
        '-f',
        'x11grab',
        '-framerate',
        String(s.fps),
        '-video_size',
        `${s.width}x${s.height}`,
        '-draw_mouse',
        '1',
        '-i',
        s.source.display,
      ];
  }
}

function filterArgs(s: EncodeSettings): string[] {
  const filters: string[] = [];
  if (s.source.kind === 'file')
    filters.push(
      `scale=${s.width}:${s.height}:force_original_aspect_ratio=decrease`,
      `pad=${s.width}:${s.height}:-1:-1`,
      `fps=${s.fps}`,
    );
  if (s.source.kind === 'testsrc' && s.drawtext) {
    // Wall-clock time and frame number burnt into the picture: glass-to-glass latency can be read off a
    // screenshot, and a frozen stream is obvious.
    const size = Math.max(16, Math.round(s.height / 12));
    filters.push(
      `drawtext=text='%{localtime\\:%H\\\\\\:%M\\\\\\:%S} #%{n}':x=(w-tw)/2:y=h-th-${size}:fontsize=${size}:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=8`,
    );
  }
  filters.push('format=yuv420p');
  return ['-vf', filters.join(',')];
}

function encoderArgs(s: EncodedOutput): string[] {
  const gop = String(gopFrames(s.fps, s.keyframeIntervalSeconds));
  const rate = `${s.bitrateKbps}k`;
  // Constant bitrate with a one-second buffer (every encoder) and a fixed GOP (the CPU encoders).
  const bitrate = ['-b:v', rate, '-maxrate', rate, '-bufsize', rate];
  const fixedGop = ['-g', gop, '-keyint_min', gop];
  switch (s.encoder) {
    case 'libvpx':
      // Realtime VP8 at the fastest speed step, no look-ahead or alt-ref frames (they add latency), a fixed GOP
      // so a new player's wait for a keyframe is bounded. Threads: libvpx's automatic threading burnt 10×
      // the CPU on a loaded 2-core machine (3.1 s vs 0.27 s user time for 90 frames at 640x360), so one
      // thread up to 720p and two above.
      return [
        '-c:v',
        'libvpx',
        '-deadline',
        'realtime',
        '-cpu-used',
        '15',
        '-lag-in-frames',
        '0',
        '-auto-alt-ref',
        '0',
        '-threads',
        s.width * s.height > 1280 * 720 ? '2' : '1',
        ...bitrate,
        ...fixedGop,
      ];
    case 'libx264':
      // Constrained baseline (profile-level-id 42e01f in our SDP): no B-frames, decodable by every browser.
      return [
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-tune',
        'zerolatency',
        '-profile:v',
        'baseline',
        '-level',
        '3.1',
        ...bitrate,
        ...fixedGop,
        '-sc_threshold',
        '0',
      ];
    case 'h264_nvenc':
      return [
        '-c:v',
        'h264_nvenc',
        '-preset',
        'p1',
        '-tune',
        'ull',
        '-zerolatency',
        '1',
        '-profile:v',
        'baseline',
        '-rc',
        'cbr',
        ...bitrate,
        '-g',
        gop,
        '-bf',
        '0',
        '-forced-idr',
        '1',
      ];
  }
}

// rtcpport = the RTP port: the sender reports land on our socket and are dropped there, instead of probing a
// neighbouring port that someone else may own.
function rtpUrl(host: string, port: number): string {
  return `rtp://${host}:${port}?pkt_size=${RTP_PACKET_BYTES}&rtcpport=${port}`;
}

/** The settings of the encoded video output (shared with the processing pipelines). */
export type EncodedOutput = Pick<
  EncodeSettings,
  'encoder' | 'width' | 'height' | 'fps' | 'bitrateKbps' | 'keyframeIntervalSeconds' | 'rtpHost' | 'rtpPort'
>;

/** The video encoder and its RTP output to our socket, without audio. */
export function encodedRtpOutput(s: EncodedOutput): string[] {
  return [
    ...encoderArgs(s),
    '-an',
    '-f',
    'rtp',
    '-payload_type',
    String(RTP_PAYLOAD_TYPE),
    rtpUrl(s.rtpHost, s.rtpPort),
  ];
}

/** The Opus output: low-delay mode, 20 ms frames, 48 kHz stereo (what browsers and Unreal use). */
function audioOutputArgs(s: EncodeSettings, audio: NonNullable<EncodeSettings['audio']>): string[] {
  return [
    '-map',
    audio.from === 'tone' ? '1:a:0' : '0:a:0',
    '-vn',
    '-c:a',
    'libopus',
    '-application',
    'lowdelay',
    '-frame_duration',
    '20',
    '-b:a',
    '64k',
    '-ar',
    '48000',
    '-ac',
    '2',
    '-f',
    'rtp',
    '-payload_type',
    String(RTP_AUDIO_PAYLOAD_TYPE),
    rtpUrl(s.rtpHost, audio.port),
  ];
}

/** The full argument list (without the ffmpeg binary itself). */
export function ffmpegArgs(s: EncodeSettings): string[] {
  const audio = s.audio;
  // A generated tone is a second input, paced like the picture; at -20 dB it is audible without being loud.
  const tone =
    audio?.from === 'tone'
      ? ['-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000,volume=-20dB']
      : [];
  // With audio there are two outputs, so each one names its stream; without, -an keeps a file's audio out.
  const video = [...(audio ? ['-map', '0:v:0'] : []), ...filterArgs(s), ...encodedRtpOutput(s)];
  return [
    '-hide_banner',
    '-nostats',
    '-loglevel',
    'warning',
    '-nostdin',
    ...inputArgs(s),
    ...tone,
    ...video,
    ...(audio ? audioOutputArgs(s, audio) : []),
  ];
}

/** An ffmpeg command that puts one black `size` frame through `steps` and discards the result. */
export function oneBlackFrame(size: string, steps: string[]): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-f',
    'lavfi',
    '-i',
    `color=c=black:s=${size}`,
  ].concat(['-frames:v', '1', ...steps, '-f', 'null', '-']);
}

/** ffmpeg probe command for the NVENC test encode (one black frame, discarded). */
export const NVENC_PROBE_ARGS = oneBlackFrame('256x256:r=1', ['-c:v', 'h264_nvenc']);

/**
 * ffmpeg probe command for drawtext: tried on one frame rather than looked up in `-filters`, because it is
 * listed even when no font is installed, and then every encode that uses it fails.
 */
export const DRAWTEXT_PROBE_ARGS = oneBlackFrame('64x64', ['-vf', 'drawtext=text=0']);
