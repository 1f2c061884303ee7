// The shared source encoded by an ffmpeg child: restarted with back-off when it dies, restarted for a
// keyframe on request (make before break), and stopped for good by close() whatever state it is in (see
// encoder-lifecycle.ts).
import type { Logger } from '../common/index.js';
import type { StreamerConfig } from './config.js';
import type { MediaPlan } from './encoder-select.js';
import { encoderTransition, type EncoderEvent, type EncoderState } from './encoder-lifecycle.js';
import { encoderRestart } from './encoder-restart.js';
import { noAudio, type FanOut } from './fan-out.js';
import { ffmpegArgs } from './ffmpeg-args.js';
import { spawnGuarded, type GuardedChild } from './guarded-child.js';
import type { MediaSource } from './media-source.js';
import { openRtpSocket, type RtpSocket } from './rtp-socket.js';
import { formatSourceSpec } from './source-spec.js';

/** Restart-for-keyframe requests closer together than this share one restart (PLI storms, player bursts). */
const MIN_RESTART_GAP_MS = 1_000;
/** ffmpeg's last stderr lines kept per encoder: enough for its error, which it prints last. */
const STDERR_TAIL_LINES = 10;

interface Encoder {
  child: GuardedChild;
  socket: RtpSocket;
  ssrc: number | undefined;
  audioSocket: RtpSocket | undefined;
  audioSsrc: number | undefined;
  /** ffmpeg's last stderr lines, for the line that says why it never got going. */
  stderrTail: string[];
}

export async function startEncoder(
  fan: FanOut,
  audio: { fan: FanOut; from: 'source' | 'tone' } | undefined,
  encoder: Extract<MediaPlan, { kind: 'ffmpeg' }>['encoder'],
  config: StreamerConfig,
  drawtext: boolean,
  log: Logger,
): Promise<MediaSource> {
  const stats = fan.stats;
  const source = config.source;
  if (source.kind === 'rtp' || source.kind === 'process')
    throw new Error(`ffmpeg plan with a ${source.kind} source`);
  let state: EncoderState<Encoder> = { kind: 'starting' };
  const active = () => (state.kind === 'running' ? state.active : undefined);
  /** Encoder starts in a row that ended without a single RTP packet. */
  let failedStarts = 0;
  let lastRestart = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let giveUp: (reason: string) => void = () => undefined;
  const failed = new Promise<string>((resolve) => (giveUp = resolve));

  const launch = async (): Promise<Encoder> => {
    const socket = await openRtpSocket('127.0.0.1', 0);
    const audioSocket = audio ? await openRtpSocket('127.0.0.1', 0) : undefined;
    const args = ffmpegArgs({
      source,
      codec: config.codec,
      encoder,
      width: config.width,
      height: config.height,
      fps: config.fps,
      bitrateKbps: config.bitrateKbps,
      keyframeIntervalSeconds: config.keyframeIntervalSeconds,
      drawtext,
      rtpHost: '127.0.0.1',
      rtpPort: socket.port,
      ...(audio && audioSocket ? { audio: { from: audio.from, port: audioSocket.port } } : {}),
    });
    const child = spawnGuarded(config.ffmpegPath, args);
    const startedAt = Date.now();
    stats.encoderStarts++;
    const enc: Encoder = {
      child,
      socket,
      ssrc: undefined,
      audioSocket,
      audioSsrc: undefined,
      stderrTail: [],
    };
    // Audio follows the video: only the active encoder's sound reaches players, with continuous numbering.
    audioSocket?.onPacket((p) => {
      if (enc !== active() || !audio) return;
      const s = p.readUInt32BE(8);
      if (enc.audioSsrc === undefined && audio.fan.stats.packets > 0) audio.fan.sourceChanged(p);
      enc.audioSsrc = s;
      audio.fan.feed(p);
    });
    child.onStderrLine((line) => {
      const short = line.slice(0, 500);
      enc.stderrTail.push(short);
      if (enc.stderrTail.length > STDERR_TAIL_LINES) enc.stderrTail.shift();
      log.warn({ pid: child.pid, line: short }, 'encoder says');
    });
    socket.onPacket((p) => {
      // Make before break: a replacement takes over the moment its first packet (a keyframe) arrives, so
      // players never see a gap while it started.
      if (state.kind === 'running' && enc === state.pending) void apply({ kind: 'firstPacket', enc });
      if (enc !== active()) return;
      if (enc.ssrc === undefined) {
        enc.ssrc = p.readUInt32BE(8);
        log.info({ pid: child.pid, ms: Date.now() - startedAt }, 'encoder sending');
        // A replacement (keyframe restart or crash recovery) continues the numbering players already have.
        if (stats.packets > 0) fan.sourceChanged(p);
      }
      fan.feed(p);
    });
    void child.exited.then((code) => {
      void socket.close();
      void audioSocket?.close();
      // Only starts that never sent a packet count: an encoder that worked and then died is restarted as
      // often as it takes.
      const failedInARow = enc.ssrc === undefined ? failedStarts + 1 : 0;
      const next = encoderRestart(failedInARow, config.encoderMaxFailedStarts);
      const t = encoderTransition(state, { kind: 'exited', enc, restart: next.kind === 'restart' });
      state = t.state;
      if (!t.activeExited && !t.pendingExited) return;
      log.error({ code: 'ENCODER_EXITED', exitCode: code, pid: child.pid }, 'encoder exited');
      if (!t.activeExited) return;
      failedStarts = failedInARow;
      if (next.kind === 'restart') {
        retryTimer = setTimeout(() => {
          retryTimer = undefined;
          void apply({ kind: 'retry' });
          if (state.kind !== 'starting') return;
          relaunch(false, (err) => {
            const name = formatSourceSpec(source);
            log.error({ code: 'ENCODER_FAILED', source: name, err: err.message }, 'encoder restart failed');
            giveUp(`${name}: the encoder could not be restarted: ${err.message}`);
          });
        }, next.delayMs);
        return;
      }
      const name = formatSourceSpec(source);
      log.error(
        { code: 'ENCODER_FAILED', source: name, failedStarts, exitCode: code, stderr: enc.stderrTail },
        'encoder keeps failing: giving up',
      );
      giveUp(`${name}: the encoder exited ${failedStarts} times in a row without sending a packet`);
    });
    log.info(
      { pid: child.pid, encoder, rtpPort: socket.port, audioRtpPort: audioSocket?.port },
      'encoder started',
    );
    return enc;
  };
  const retire = async (enc: Encoder) => {
    await enc.child.stop();
    await enc.socket.close().catch(() => undefined);
    await enc.audioSocket?.close().catch(() => undefined);
  };
  /** Launches and retirements not finished yet: close() waits for them, so no encoder outlives it. */
  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    const done = work.finally(() => inFlight.delete(done));
    inFlight.add(done);
    return done;
  };
  /** Moves to the next state and stops the encoders it drops; resolves once they are stopped. */
  const apply = (event: EncoderEvent<Encoder>) => {
    const t = encoderTransition(state, event);
    state = t.state;
    return Promise.all(t.retire.map((e) => track(retire(e))));
  };
  /**
   * Launches an encoder (a keyframe `replacement`, or a restart after a crash); the state decides whether
   * it is used or, when the source closed meanwhile, stopped. A launch that fails (no socket) goes to
   * `onError` unless the source is closed.
   */
  const relaunch = (replacement: boolean, onError: (err: Error) => void) => {
    void track(
      launch().then(
        (enc) => apply({ kind: 'launched', enc, replacement }),
        (err: Error) => {
          if (state.kind !== 'closed') onError(err);
        },
      ),
    );
  };

  await apply({ kind: 'launched', enc: await launch(), replacement: false });
  log.info(
    {
      source: source.kind,
      encoder,
      codec: config.codec,
      strategy: config.keyframeStrategy,
      audio: audio?.from ?? 'none',
    },
    'source ready',
  );
  return {
    attach: (t, g) => fan.attach(t, g),
    audio: audio !== undefined,
    attachAudio: audio ? (t) => audio.fan.attach(t, false) : noAudio,
    codec: config.codec,
    description: `${source.kind} via ffmpeg ${encoder}`,
    requestKeyframe(reason) {
      stats.keyframeRequests++;
      if (config.keyframeStrategy !== 'restart' || state.kind !== 'running' || state.pending) return;
      const now = Date.now();
      if (now - lastRestart < MIN_RESTART_GAP_MS) return;
      lastRestart = now;
      log.debug({ reason }, 'restarting encoder for a keyframe');
      relaunch(true, (err) => log.warn({ err: err.message }, 'encoder restart for a keyframe failed'));
    },
    stats: () => ({ ...stats }),
    failed,
    async close() {
      clearTimeout(retryTimer);
      retryTimer = undefined;
      await apply({ kind: 'close' });
      // Launches still in flight retire what they started (the state is closed) before they settle.
      await Promise.all([...inFlight]);
    },
  };
}
