// Which encoder a stream uses, decided from what ffmpeg reports — pure, so it can be tested with captured
// ffmpeg output from machines with and without NVIDIA GPUs. `ffmpeg -encoders` lists h264_nvenc on every
// Debian/Ubuntu build even without a GPU, so a listing alone proves nothing: a one-frame test encode must
// also succeed before NVENC is chosen.
import type { Codec } from './config.js';
import type { SourceSpec } from './source-spec.js';

export type VideoEncoder = 'libvpx' | 'libx264' | 'h264_nvenc';

/** What the probes found on this machine. */
export interface EncoderFacts {
  /** ffmpeg ran at all. */
  ffmpeg: boolean;
  /** Encoder names from `ffmpeg -encoders`. */
  encoders: ReadonlySet<string>;
  /** Result of the one-frame h264_nvenc encode; undefined when it was not attempted. */
  nvenc?: NvencProbe;
}

export interface NvencProbe {
  works: boolean;
  reason: string;
}

/** How the stream's video is produced. */
export type MediaPlan =
  | { kind: 'ffmpeg'; encoder: VideoEncoder; note?: string }
  /** RTP from an external encoder: no local encode at all. */
  | { kind: 'rtp-in' }
  /**
   * Each player's camera through a processing function, encoded per session with `encoder` (none for the
   * recorder, which sends the camera back as it came).
   */
  | { kind: 'process'; encoder: VideoEncoder | undefined; note?: string }
  /** werift replays a VP8 WebM clip (no ffmpeg on this machine). */
  | {
      kind: 'replay';
      /** A clip path, or 'bundled' for the clip shipped with the streamer. */ path: string;
      note: string;
    };

export type PlanResult = { ok: true; plan: MediaPlan } | { ok: false; code: string; reason: string };

/** Parses `ffmpeg -encoders` output into encoder names (the second column after the capability flags). */
export function parseEncoderList(output: string): Set<string> {
  const names = new Set<string>();
  let body = false;
  for (const line of output.split('\n')) {
    if (/^\s*-{3,}\s*$/.test(line)) {
      body = true;
      continue;
    }
    if (!body) continue;
    const m = /^\s*[VAS][.A-Z]{5}\s+(\S+)/.exec(line);
    if (m?.[1]) names.add(m[1]);
  }
  return names;
}

/** Interprets the one-frame NVENC test encode: exit status plus what ffmpeg printed on stderr. */
export function interpretNvencProbe(exitCode: number | null, stderr: string): NvencProbe {
  if (exitCode === 0) return { works: true, reason: 'test encode succeeded' };
  const known: [RegExp, string][] = [
    [
      /Cannot load libcuda|libnvidia-encode/i,
      'NVIDIA driver libraries not found (no GPU or container without the NVIDIA runtime)',
    ],
    [/No capable devices found|no NVENC capable devices/i, 'no NVENC-capable GPU'],
    [
      /OpenEncodeSessionEx failed: out of memory|incompatible client key|too many/i,
      'NVENC session limit reached or GPU busy',
    ],
    [/Driver does not support the required nvenc API version/i, 'NVIDIA driver too old for this ffmpeg'],
    [/Unknown encoder/i, 'ffmpeg built without NVENC'],
  ];
  for (const [re, reason] of known) if (re.test(stderr)) return { works: false, reason };
  const last = stderr.trim().split('\n').filter(Boolean).at(0) ?? `exit ${exitCode}`;
  return { works: false, reason: last.slice(0, 200) };
}

/**
 * Picks how to produce `codec` from `source`. `hw`: 'auto' prefers a working NVENC for H.264 and falls back
 * to the CPU; 'nvenc' insists (an error when it does not work); 'cpu' never probes the GPU.
 */
export function planMedia(
  source: SourceSpec,
  codec: Codec,
  hw: 'auto' | 'nvenc' | 'cpu',
  facts: EncoderFacts,
): PlanResult {
  if (source.kind === 'rtp') return { ok: true, plan: { kind: 'rtp-in' } };
  if (source.kind === 'process') {
    if (source.fn.kind === 'record') return { ok: true, plan: { kind: 'process', encoder: undefined } };
    if (!facts.ffmpeg)
      return { ok: false, code: 'FFMPEG_MISSING', reason: 'processing functions need ffmpeg on PATH' };
    const encode = planMedia({ kind: 'testsrc' }, codec, hw, facts);
    if (!encode.ok || encode.plan.kind !== 'ffmpeg') return encode;
    const { encoder, note } = encode.plan;
    return { ok: true, plan: { kind: 'process', encoder, ...(note ? { note } : {}) } };
  }
  if (!facts.ffmpeg) {
    if (source.kind === 'x11')
      return { ok: false, code: 'FFMPEG_MISSING', reason: 'x11 capture needs ffmpeg on PATH' };
    if (hw === 'nvenc')
      return { ok: false, code: 'NVENC_UNAVAILABLE', reason: 'HW_ENCODER=nvenc but ffmpeg is not on PATH' };
    if (codec !== 'vp8') {
      return {
        ok: false,
        code: 'FFMPEG_MISSING',
        reason: 'without ffmpeg only VP8 clips can be replayed; set STREAM_CODEC=vp8 or install ffmpeg',
      };
    }
    const path = source.kind === 'file' ? source.path : 'bundled';
    return { ok: true, plan: { kind: 'replay', path, note: 'ffmpeg not found: replaying a VP8 WebM clip' } };
  }
  if (codec === 'vp8') {
    if (hw === 'nvenc')
      return {
        ok: false,
        code: 'NVENC_UNAVAILABLE',
        reason: 'NVENC encodes H.264, not VP8; set STREAM_CODEC=h264',
      };
    if (!facts.encoders.has('libvpx'))
      return { ok: false, code: 'ENCODER_MISSING', reason: 'ffmpeg has no libvpx (VP8) encoder' };
    return { ok: true, plan: { kind: 'ffmpeg', encoder: 'libvpx' } };
  }
  const nvencListed = facts.encoders.has('h264_nvenc');
  const nvencWorks = nvencListed && facts.nvenc?.works === true;
  if (hw !== 'cpu' && nvencWorks) return { ok: true, plan: { kind: 'ffmpeg', encoder: 'h264_nvenc' } };
  const why = !nvencListed ? 'ffmpeg lists no h264_nvenc' : (facts.nvenc?.reason ?? 'NVENC not probed');
  if (hw === 'nvenc') return { ok: false, code: 'NVENC_UNAVAILABLE', reason: `HW_ENCODER=nvenc but ${why}` };
  if (!facts.encoders.has('libx264'))
    return { ok: false, code: 'ENCODER_MISSING', reason: `no usable H.264 encoder (${why}; no libx264)` };
  return hw === 'cpu'
    ? { ok: true, plan: { kind: 'ffmpeg', encoder: 'libx264' } }
    : { ok: true, plan: { kind: 'ffmpeg', encoder: 'libx264', note: `NVENC not used: ${why}` } };
}

/** Whether planning needs the NVENC test encode (it costs ~0.3 s, so only when it can change the answer). */
export function needsNvencProbe(
  source: SourceSpec,
  codec: Codec,
  hw: 'auto' | 'nvenc' | 'cpu',
  encoders: ReadonlySet<string>,
): boolean {
  // Processing also tells its functions whether a GPU works (PROCESS_GPU), whatever the codec.
  const wanted = codec === 'h264' || source.kind === 'process';
  return source.kind !== 'rtp' && wanted && hw !== 'cpu' && encoders.has('h264_nvenc');
}
