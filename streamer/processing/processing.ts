// Processing mode (`STREAM_SOURCE=process:<function>`): no shared stream at all. Each player gets its own
// session (session.ts) that turns its camera into its video. This module checks the function once at
// start, builds the sessions' settings and stands in for the shared source in the streamer's bookkeeping.
import { spawn } from 'node:child_process';
import type { Logger } from '../../common/index.js';
import type { StreamerConfig } from '../config.js';
import type { EncoderFacts, MediaPlan } from '../encoder-select.js';
import type { MediaSource } from '../media-source.js';
import { formatSourceSpec } from '../source-spec.js';
import type { ProcessFunction } from './function-spec.js';
import { filterProbeArgs } from './pipeline-args.js';
import { ProcessingSession, type EndCode } from './session.js';
import { CodedError } from '../../common/coded-error.js';

/** A processing function that cannot be started (bad filter graph, missing command). */
export class ProcessingError extends CodedError {}

export interface SessionHandlers {
  onResult(result: Record<string, unknown>): void;
  onEnd(code: EndCode, reason: string): void;
}

export interface Processing {
  /** What the streamer reports and closes in place of the shared source. */
  readonly source: MediaSource;
  /** A new session for `playerId`. */
  open(playerId: string, handlers: SessionHandlers): ProcessingSession;
}

/** Output frames a function may send beyond its input frames before it counts as flooding. */
const EXTRA_FRAMES_SECONDS = 2;

/** Runs `ffmpeg args`; resolves with the exit code and stderr (never rejects). */
function tryFfmpeg(ffmpegPath: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    let stderr = '';
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', (err) => resolve({ code: null, stderr: err.message }));
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

/** Checks the function and prepares the sessions' settings. */
export async function startProcessing(
  config: StreamerConfig,
  plan: Extract<MediaPlan, { kind: 'process' }>,
  facts: EncoderFacts,
  log: Logger,
): Promise<Processing> {
  if (config.source.kind !== 'process') throw new Error('processing without a process: source');
  const fn: ProcessFunction = config.source.fn;
  if (fn.kind === 'filter') {
    const trial = await tryFfmpeg(config.ffmpegPath, filterProbeArgs(fn.graph));
    if (trial.code !== 0) {
      const why = trial.stderr.trim().split('\n').slice(-2).join(' | ');
      throw new ProcessingError('FUNCTION_INVALID', `filter graph ${JSON.stringify(fn.graph)} fails: ${why}`);
    }
  }
  const gpu = facts.nvenc?.works === true;
  const p = config.processing;
  const sessions = new Set<ProcessingSession>();
  const totals = { frames: 0, ended: 0 };
  const description = `${formatSourceSpec(config.source)} per player${plan.encoder ? ` via ffmpeg ${plan.encoder}` : ''}`;
  const source: MediaSource = {
    audio: false,
    codec: config.codec,
    description,
    attach: () => {
      throw new Error('processing sessions have no shared stream');
    },
    attachAudio: () => {
      throw new Error('processing sessions send no audio');
    },
    requestKeyframe: () => undefined,
    stats: () => {
      let frames = totals.frames;
      for (const s of sessions) frames += s.stats().framesOut;
      return { packets: 0, frames, bytes: 0, encoderStarts: totals.ended, keyframeRequests: 0 };
    },
    // Sessions fail one by one; the streamer itself keeps serving.
    failed: new Promise<string>(() => undefined),
    async close() {
      await Promise.all([...sessions].map((s) => s.close()));
    },
  };
  log.info({ function: fn.kind, gpu, encoder: plan.encoder }, 'processing ready');
  return {
    source,
    open(playerId, handlers) {
      const session: ProcessingSession = new ProcessingSession({
        playerId,
        fn,
        settings: {
          codec: config.codec,
          encoder: plan.encoder ?? 'libvpx',
          width: config.width,
          height: config.height,
          fps: config.fps,
          bitrateKbps: config.bitrateKbps,
          keyframeIntervalSeconds: config.keyframeIntervalSeconds,
          rtpHost: config.rtpHost,
        },
        pixelFormat: p.pixelFormat,
        ffmpegPath: config.ffmpegPath,
        guard: {
          stallMs: p.stallSeconds * 1000,
          maxExtraFrames: config.fps * EXTRA_FRAMES_SECONDS,
          maxEventsPerSecond: p.maxEventsPerSecond,
        },
        limits: { addressSpaceKib: p.memoryMb * 1024, nice: p.nice },
        maxEventBytes: p.maxEventBytes,
        cameraTimeoutMs: p.cameraTimeoutSeconds * 1000,
        recordDir: p.recordDir,
        env: { PROCESS_GPU: gpu ? '1' : '0' },
        log,
        onResult: (result) => handlers.onResult(result),
        onEnd: (code, reason) => {
          log.warn({ code, reason, playerId }, 'processing session ended');
          handlers.onEnd(code, reason);
        },
        onClosed: () => {
          sessions.delete(session);
          totals.frames += session.stats().framesOut;
          totals.ended++;
        },
      });
      sessions.add(session);
      return session;
    },
  };
}
