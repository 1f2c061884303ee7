// The stream's one encode. Whatever produces the video — an ffmpeg child, an external RTP encoder, or
// werift replaying a WebM clip — hands its RTP packets to `fanOut`, which copies them into every attached
// player's track, so N players cost N packet copies and SRTP, never N encodes. Each player has its own track
// because werift's senders rewrite the packet object they are given: a shared track would let one player's
// sequence/timestamp offsets leak into another's. A player that joins between keyframes first gets the
// current group of pictures (keyframe and the frames since), so it can decode at once.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MediaStreamTrack, RTCRtpCodecParameters } from 'werift';
import type { Logger } from '../common/index.js';
import type { AudioPlan } from './audio-plan.js';
import type { Codec, StreamerConfig } from './config.js';
import type { MediaPlan } from './encoder-select.js';
import { encoderTransition, type EncoderEvent, type EncoderState } from './encoder-lifecycle.js';
import { encoderRestart } from './encoder-restart.js';
import { ffmpegArgs } from './ffmpeg-args.js';
import { spawnGuarded, type GuardedChild } from './guarded-child.js';
import { GopCache } from './keyframe.js';
import { copiesOf } from './rtp-copies.js';
import { openRtpSocket, type RtpSocket } from './rtp-socket.js';
import { formatSourceSpec } from './source-spec.js';

export const BUNDLED_CLIP = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'assets',
  'fallback-vp8.webm',
);

/** Restart-for-keyframe requests closer together than this share one restart (PLI storms, player bursts). */
const MIN_RESTART_GAP_MS = 1_000;
/** RTP timestamp ticks of one 20 ms Opus frame at 48 kHz. */
const OPUS_FRAME_TICKS = 960;
/** ffmpeg's last stderr lines kept per encoder: enough for its error, which it prints last. */
const STDERR_TAIL_LINES = 10;

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

interface Encoder {
  child: GuardedChild;
  socket: RtpSocket;
  ssrc: number | undefined;
  audioSocket: RtpSocket | undefined;
  audioSsrc: number | undefined;
  /** ffmpeg's last stderr lines, for the line that says why it never got going. */
  stderrTail: string[];
}

/** Copies every packet to the attached tracks and, for video, keeps the current GOP. */
class FanOut {
  private readonly tracks = new Set<MediaStreamTrack>();
  readonly stats: MediaSourceStats = {
    packets: 0,
    frames: 0,
    bytes: 0,
    encoderStarts: 0,
    keyframeRequests: 0,
  };

  constructor(
    private readonly gop: GopCache | undefined,
    private readonly frameTicks: number,
  ) {}

  feed(packet: Buffer): void {
    const { stats } = this;
    stats.packets++;
    stats.bytes += packet.length;
    if ((packet[1]! & 0x80) !== 0) stats.frames++;
    this.gop?.push(packet);
    if (this.tracks.size === 0) return;
    // Parsed once; each track gets its own header for its sender to rewrite.
    const copy = copiesOf(packet);
    for (const t of this.tracks) t.writeRtp(copy());
  }

  /** The encoder behind the stream changed (restart, loop): keep each player's numbering continuous. */
  sourceChanged(first: Buffer): void {
    this.gop?.reset();
    // werift maps the new first packet onto the *last* sent sequence number and timestamp; step back one
    // packet and one frame so it lands after them instead of duplicating the last packet.
    const header = {
      sequenceNumber: (first.readUInt16BE(2) - 1) & 0xffff,
      timestamp: (first.readUInt32BE(4) - this.frameTicks) >>> 0,
    };
    for (const t of this.tracks) t.onSourceChanged.execute(header);
  }

  attach(track: MediaStreamTrack, withGop: boolean): () => void {
    if (withGop && this.gop) for (const p of this.gop.snapshot()) track.writeRtp(p);
    this.tracks.add(track);
    return () => void this.tracks.delete(track);
  }
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

/** Feeds RTP arriving on `socket` into `fan`; a new SSRC (the external encoder restarted) keeps each player's numbering continuous. */
function feedExternal(socket: RtpSocket, fan: FanOut): void {
  let ssrc: number | undefined;
  socket.onPacket((p) => {
    const s = p.readUInt32BE(8);
    if (ssrc !== undefined && s !== ssrc) fan.sourceChanged(p);
    ssrc = s;
    fan.feed(p);
  });
}

/** A player's audio track gets nothing when the stream has no audio. */
const noAudio = () => () => undefined;
/** `failed` of a source that never gives up. */
const never = new Promise<string>(() => undefined);

async function startRtpIn(
  fan: FanOut,
  audioFan: FanOut | undefined,
  audio: AudioPlan,
  config: StreamerConfig,
  log: Logger,
): Promise<MediaSource> {
  const stats = fan.stats;
  if (config.source.kind !== 'rtp') throw new Error('rtp-in plan without an rtp source');
  const socket = await openRtpSocket(config.rtpHost, config.source.port);
  feedExternal(socket, fan);
  const audioSocket =
    audioFan && audio.kind === 'rtp' ? await openRtpSocket(config.rtpHost, audio.port) : undefined;
  if (audioSocket && audioFan) feedExternal(audioSocket, audioFan);
  log.info(
    {
      source: 'rtp',
      host: config.rtpHost,
      port: socket.port,
      codec: config.codec,
      audioPort: audioSocket?.port,
    },
    'source ready',
  );
  return {
    attach: (t, g) => fan.attach(t, g),
    audio: audioSocket !== undefined,
    attachAudio: audioFan && audioSocket ? (t) => audioFan.attach(t, false) : noAudio,
    codec: config.codec,
    description: `RTP in on ${config.rtpHost}:${socket.port}`,
    requestKeyframe: (reason) => {
      stats.keyframeRequests++;
      log.debug({ reason }, 'keyframe request not forwardable to an external encoder');
    },
    stats: () => ({ ...stats }),
    failed: never,
    close: async () => {
      await Promise.all([socket.close(), audioSocket?.close()]);
    },
  };
}

/** Feeds a replayed track into `fan`; each loop of the clip restarts its numbering, which the senders smooth over. */
function replayInto(track: MediaStreamTrack, fan: FanOut): void {
  let loopStart = false;
  track.onSourceChanged.subscribe(() => (loopStart = true));
  track.onReceiveRtp.subscribe((rtp) => {
    const packet = rtp.serialize();
    if (loopStart) {
      loopStart = false;
      fan.sourceChanged(packet);
    }
    fan.feed(packet);
  });
}

async function startReplay(
  fan: FanOut,
  audioFan: FanOut | undefined,
  clip: string,
  log: Logger,
): Promise<MediaSource> {
  const stats = fan.stats;
  const { getUserMedia } = await import('werift/nonstandard');
  const player = await getUserMedia({ path: clip, loop: true });
  const video = player.video;
  if (!video) throw new Error(`${clip} has no video track`);
  // The replayer packetises for the negotiated codec of the track; our fan-out track is the one attached to
  // senders, so declare VP8 here ourselves (payload type is rewritten per sender anyway).
  video.codec = new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90_000, payloadType: 96 });
  replayInto(video, fan);
  // A clip with an Opus track is replayed with its sound (unless STREAM_AUDIO=off).
  const sound = audioFan ? player.audio : undefined;
  if (sound && audioFan) {
    // No channel count: werift then accepts mono and stereo clips alike (Opus RTP is declared 2-channel
    // in SDP either way, and decoders handle a mono stream under it).
    sound.codec = new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, payloadType: 111 });
    replayInto(sound, audioFan);
  }
  player.onError.subscribe((err) =>
    log.error({ code: 'REPLAY_FAILED', err: err.message }, 'clip replay failed'),
  );
  await player.start();
  stats.encoderStarts++;
  log.info(
    { source: 'replay', clip: path.basename(clip), codec: 'vp8', audio: sound !== undefined },
    'source ready',
  );
  return {
    attach: (t, g) => fan.attach(t, g),
    audio: sound !== undefined,
    attachAudio: sound && audioFan ? (t) => audioFan.attach(t, false) : noAudio,
    codec: 'vp8',
    description: `replaying ${path.basename(clip)}`,
    requestKeyframe: () => void stats.keyframeRequests++,
    stats: () => ({ ...stats }),
    failed: never,
    close: () => Promise.resolve(player.stop()),
  };
}

async function startEncoder(
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
