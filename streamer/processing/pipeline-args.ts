// The ffmpeg command lines of a processing session, pure so the exact flags are tested and documented:
// the player's camera frames arrive on stdin (IVF for VP8, Annex B for H.264), are scaled (and padded) to
// the session's frame size and either filtered and encoded in one ffmpeg (`filter:`), or decoded to raw
// frames for a command and encoded again from its raw output (`exec:`). Encoded video leaves as RTP for
// the streamer's UDP socket, the same way the shared stream's encoder sends it.
import type { Codec } from '../config.js';
import { encodedRtpOutput, oneBlackFrame, type EncodeSettings } from '../ffmpeg-args.js';

/** Pixel formats a command may ask for; every frame is exactly `frameBytes` long. */
export const PIXEL_FORMATS = ['rgb24', 'yuv420p', 'gray'] as const;
export type PixelFormat = (typeof PIXEL_FORMATS)[number];

/** The stream's encode settings a session uses (its camera's codec is the stream's codec). */
export type PipelineSettings = Pick<
  EncodeSettings,
  | 'codec'
  | 'encoder'
  | 'width'
  | 'height'
  | 'fps'
  | 'bitrateKbps'
  | 'keyframeIntervalSeconds'
  | 'rtpHost'
  | 'rtpPort'
>;

/** Bytes of one raw frame. */
export function frameBytes(format: PixelFormat, width: number, height: number): number {
  switch (format) {
    case 'rgb24':
      return width * height * 3;
    case 'yuv420p':
      return (width * height * 3) / 2;
    case 'gray':
      return width * height;
  }
}

const QUIET = ['-hide_banner', '-nostats', '-loglevel', 'warning', '-nostdin'];

/**
 * The camera on stdin. Frames are timestamped on arrival (wall clock): the camera's own timing is whatever
 * the browser sent, and probing is cut to the minimum so the first frame is not held back.
 */
function cameraInput(codec: Codec): string[] {
  // Not `-fflags nobuffer`: it drops the packets read while probing, i.e. the first keyframe.
  return [
    '-flags',
    'low_delay',
    '-probesize',
    '32',
    '-analyzeduration',
    '0',
    '-use_wallclock_as_timestamps',
    '1',
    '-f',
    codec === 'vp8' ? 'ivf' : 'h264',
    '-i',
    'pipe:0',
  ];
}

/** Any camera size to the session's frame size, aspect kept, black bars where it does not fit. */
function fitFilters(width: number, height: number): string[] {
  return [`scale=${width}:${height}:force_original_aspect_ratio=decrease`, `pad=${width}:${height}:-1:-1`];
}

function rtpOut(s: PipelineSettings): string[] {
  return [
    // One output frame per input frame, with the input's timestamps: no duplicated or dropped frames.
    '-fps_mode',
    'passthrough',
    ...encodedRtpOutput(s),
  ];
}

/** `filter:`: camera in, the graph, encoded RTP out — one process. */
export function filterPipelineArgs(s: PipelineSettings, graph: string): string[] {
  const vf = [...fitFilters(s.width, s.height), graph, 'format=yuv420p'].join(',');
  return [...QUIET, ...cameraInput(s.codec), '-vf', vf, ...rtpOut(s)];
}

/** `exec:` decoder: camera in, raw `format` frames of the session's size out on stdout. */
export function decoderArgs(s: PipelineSettings, format: PixelFormat): string[] {
  const vf = [...fitFilters(s.width, s.height), `format=${format}`].join(',');
  return [
    ...QUIET,
    ...cameraInput(s.codec),
    '-vf',
    vf,
    '-fps_mode',
    'passthrough',
    '-f',
    'rawvideo',
    'pipe:1',
  ];
}

/** `exec:` encoder: the command's raw frames in on stdin, encoded RTP out. */
export function encoderPipelineArgs(s: PipelineSettings, format: PixelFormat): string[] {
  return [
    ...QUIET,
    '-f',
    'rawvideo',
    '-pix_fmt',
    format,
    '-s',
    `${s.width}x${s.height}`,
    '-use_wallclock_as_timestamps',
    '1',
    '-i',
    'pipe:0',
    '-vf',
    'format=yuv420p',
    ...rtpOut(s),
  ];
}

/** A one-frame trial of a filter graph, run at start so a typo stops the streamer instead of every session. */
export function filterProbeArgs(graph: string): string[] {
  return oneBlackFrame('64x64', ['-vf', `${graph},format=yuv420p`]);
}
