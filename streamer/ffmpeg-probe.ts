// Asks the local ffmpeg what it can do: is it there, which encoders and filters it has, and whether a real
// NVENC encode works. Interpretation lives in encoder-select.ts; this file only runs the commands.
import { spawn } from 'node:child_process';
import { DRAWTEXT_PROBE_ARGS, NVENC_PROBE_ARGS } from './ffmpeg-args.js';
import {
  interpretNvencProbe,
  needsNvencProbe,
  parseEncoderList,
  type EncoderFacts,
} from './encoder-select.js';
import type { Codec } from './config.js';
import type { SourceSpec } from './source-spec.js';
import { hasAudioStream, needsAudioProbe, type AudioMode } from './audio-plan.js';

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  spawnError?: string;
}

/** Runs a short command with a deadline; never throws. */
function run(cmd: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr, spawnError: err.message });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface ProbeResult extends EncoderFacts {
  drawtext: boolean;
  /** For a file source: whether it has an audio stream (undefined when not probed). */
  fileHasAudio?: boolean;
}

/** Probes `ffmpegPath`; the NVENC test encode runs only when it could change the plan. */
export async function probeFfmpeg(
  ffmpegPath: string,
  source: SourceSpec,
  codec: Codec,
  hw: 'auto' | 'nvenc' | 'cpu',
  audio: AudioMode = 'off',
): Promise<ProbeResult> {
  // `ffmpeg -i <file>` with no output describes the file's streams on stderr (and exits 1: no output given).
  const fileInfo =
    needsAudioProbe(source, audio) && source.kind === 'file'
      ? ['-hide_banner', '-nostdin', '-i', source.path]
      : undefined;
  const [enc, text, info] = await Promise.all([
    run(ffmpegPath, ['-hide_banner', '-encoders'], 10_000),
    run(ffmpegPath, DRAWTEXT_PROBE_ARGS, 10_000),
    fileInfo ? run(ffmpegPath, fileInfo, 10_000) : undefined,
  ]);
  if (enc.spawnError !== undefined || enc.code !== 0)
    return { ffmpeg: false, encoders: new Set(), drawtext: false };
  const encoders = parseEncoderList(enc.stdout);
  const drawtext = text.code === 0;
  const found = {
    ffmpeg: true,
    encoders,
    drawtext,
    ...(info ? { fileHasAudio: hasAudioStream(info.stderr) } : {}),
  };
  if (!needsNvencProbe(source, codec, hw, encoders)) return found;
  const probe = await run(ffmpegPath, NVENC_PROBE_ARGS, 15_000);
  return { ...found, nvenc: interpretNvencProbe(probe.code, probe.stderr) };
}
