// One player's processing session: its camera (RTP from werift) is depacketised and fed to its own
// function process, whose output is encoded and sent back on that player's own video track — never to the
// shared fan-out. The function's side channel (fd 3, JSON lines) becomes results for the player and the
// sidecar. Anything that goes wrong (crash, stall, flood, no camera) ends this session only, with a code.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { MediaStreamTrack, RtpPacket } from 'werift';
import { DepacketizeCallback, MediaRecorder } from 'werift/nonstandard';
import type { Logger } from '../../common/index.js';
import { spawnGuarded, type GuardedChild } from '../guarded-child.js';
import { openRtpSocket, type RtpSocket } from '../rtp-socket.js';
import { FunctionGuard, type GuardLimits, type Verdict } from './function-guard.js';
import type { ProcessFunction } from './function-spec.js';
import { ivfFileHeader, ivfFrame } from './ivf.js';
import { Vp8Depacketizer } from './vp8-depacketizer.js';
import {
  decoderArgs,
  encoderPipelineArgs,
  filterPipelineArgs,
  frameBytes,
  type PipelineSettings,
  type PixelFormat,
} from './pipeline-args.js';
import { FrameSplitter, LineSplitter } from './stream-splitters.js';

/** Session-ending codes (README: error codes). */
export type EndCode =
  | 'FUNCTION_CRASHED'
  | 'FUNCTION_STALLED'
  | 'FUNCTION_FLOOD'
  | 'PIPELINE_FAILED'
  | 'PROCESS_NO_CAMERA'
  | 'RECORD_FAILED';

export interface SessionOptions {
  playerId: string;
  fn: ProcessFunction;
  settings: Omit<PipelineSettings, 'rtpPort'>;
  pixelFormat: PixelFormat;
  ffmpegPath: string;
  guard: GuardLimits;
  /** Bounds of the function process (`ulimit -v` KiB, `nice`). */
  limits: { addressSpaceKib: number; nice: number };
  maxEventBytes: number;
  /** How long after the connection is up the camera's first frame may take. */
  cameraTimeoutMs: number;
  recordDir: string;
  /** Extra environment for the function (e.g. PROCESS_GPU). */
  env: Record<string, string>;
  log: Logger;
  /** A result line from the function (a JSON object). */
  onResult(result: Record<string, unknown>): void;
  /** The session must end: the streamer tells the player why and disconnects it. */
  onEnd(code: EndCode, reason: string): void;
  /** The session has closed (for whatever reason). */
  onClosed(): void;
}

/** Keyframe requests to the browser closer together than this are merged (PLI storms). */
const MIN_PLI_GAP_MS = 500;
/** Camera bytes allowed to wait in the decoder's pipe; beyond, frames are dropped until the next keyframe. */
const MAX_INPUT_BACKLOG_BYTES = 4 * 1024 * 1024;
/** Raw frames allowed to wait in a pipe before new ones are dropped (latency over completeness). */
const MAX_RAW_BACKLOG_FRAMES = 2;
const STDERR_TAIL_LINES = 10;
/** Frames held while the pipeline starts (~2 s of camera); the held run always begins at a keyframe. */
const MAX_HELD_FRAMES = 60;
const GUARD_PERIOD_MS = 250;

export class ProcessingSession {
  private output: MediaStreamTrack | undefined;
  private ended = false;
  private readonly children: GuardedChild[] = [];
  private socket: RtpSocket | undefined;
  private starting: Promise<void> | undefined;
  private input: GuardedChild | undefined;
  private depacketizer: DepacketizeCallback | undefined;
  private recorder: MediaRecorder | undefined;
  private readonly guard: FunctionGuard;
  private guardTimer: NodeJS.Timeout | undefined;
  private cameraTimer: NodeJS.Timeout | undefined;
  private lastPli = 0;
  private pli: (() => void) | undefined;
  /** The decoder must (re)start at a keyframe: at first, and after a loss or an overflow. */
  private skipToKeyframe = true;
  /** Camera frames since the last keyframe, held while the pipeline starts. */
  private held: Buffer[] = [];
  private readonly startedAt = Date.now();
  private expectedTracks = 1;
  private readonly recordTracks: MediaStreamTrack[] = [];
  /** The file being recorded (record only). */
  recordingPath: string | undefined;
  droppedFrames = 0;

  constructor(private readonly o: SessionOptions) {
    this.guard = new FunctionGuard(o.guard);
  }

  /** The player's connection is up: its outgoing video track, fed from now on. Returns the detach function. */
  attachOutput(track: MediaStreamTrack): () => void {
    this.output = track;
    this.cameraTimer ??= setTimeout(
      () =>
        this.end(
          'PROCESS_NO_CAMERA',
          `no camera video within ${this.o.cameraTimeoutMs / 1000} s (open the page with ?UseCamera=true and allow the camera)`,
        ),
      this.o.cameraTimeoutMs,
    );
    return () => {
      if (this.output === track) this.output = undefined;
    };
  }

  /** How many tracks the player sends (from its answer): the recorder waits for all of them. */
  expectTracks(count: number): void {
    this.expectedTracks = Math.max(1, count);
  }

  /** The player's camera track; `pli` asks its browser for a keyframe. */
  receiveVideo(track: MediaStreamTrack, pli: () => void): void {
    this.pli = pli;
    if (this.o.fn.kind === 'record') {
      this.addRecordTrack(track);
      // The camera goes back unchanged; werift's sender rewrites SSRC, payload type and numbering.
      track.onReceiveRtp.subscribe((rtp) => {
        this.cameraArrived();
        this.output?.writeRtp(rtp.serialize());
      });
      return;
    }
    if (this.o.settings.codec === 'vp8') {
      const vp8 = new Vp8Depacketizer();
      track.onReceiveRtp.subscribe((rtp: RtpPacket) => {
        const { sequenceNumber, timestamp, marker } = rtp.header;
        for (const out of vp8.push(sequenceNumber, timestamp, marker, rtp.payload)) {
          if (out.kind === 'frame') this.cameraFrame(out.data, out.keyframe);
          else this.cameraLoss();
        }
      });
    } else {
      const h264 = new DepacketizeCallback('MPEG4/ISO/AVC', {
        isFinalPacketInSequence: (h) => h.marker,
        waitForKeyframe: true,
      });
      this.depacketizer = h264;
      h264.onNeedKeyFrame.subscribe(() => this.requestKeyframe());
      h264.pipe((out) => {
        if (out.frame) this.cameraFrame(out.frame.data, out.frame.isKeyframe);
      });
      // werift's depacketizer recycles the packets it is given: hand it copies.
      track.onReceiveRtp.subscribe((rtp: RtpPacket) => h264.input({ rtp: rtp.clone() }));
    }
    this.requestKeyframe();
  }

  /** The player's microphone: recorded by `record`; functions get video only. */
  receiveAudio(track: MediaStreamTrack): void {
    if (this.o.fn.kind === 'record') this.addRecordTrack(track);
  }

  /** The player asked for a keyframe (PLI, new connection): only the recorder's echo can pass it on. */
  keyframeNeeded(): void {
    if (this.o.fn.kind === 'record') this.requestKeyframe();
  }

  stats(): { framesIn: number; framesOut: number; dropped: number } {
    return { ...this.guard.counts(), dropped: this.droppedFrames };
  }

  private requestKeyframe(): void {
    const now = Date.now();
    if (now - this.lastPli < MIN_PLI_GAP_MS) return;
    this.lastPli = now;
    this.pli?.();
  }

  /** A camera frame was lost: wait for a keyframe (asked for) rather than decode a broken picture. */
  private cameraLoss(): void {
    this.skipToKeyframe = true;
    this.requestKeyframe();
  }

  private cameraArrived(): void {
    clearTimeout(this.cameraTimer);
  }

  private addRecordTrack(track: MediaStreamTrack): void {
    this.recordTracks.push(track);
    if (this.recordTracks.length < this.expectedTracks) return;
    void this.startRecorder();
  }

  private async startRecorder(): Promise<void> {
    if (this.recorder || this.ended) return;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = path.join(this.o.recordDir, `${stamp}-${this.o.playerId.replace(/[^\w-]/g, '_')}.webm`);
    this.recordingPath = file;
    try {
      await mkdir(this.o.recordDir, { recursive: true });
      const { width, height } = this.o.settings;
      this.recorder = new MediaRecorder({ path: file, numOfTracks: this.recordTracks.length, width, height });
      this.recorder.onError.subscribe((err) => this.end('RECORD_FAILED', err.message));
      for (const t of this.recordTracks) await this.recorder.addTrack(t);
      this.requestKeyframe();
      this.o.log.info({ playerId: this.o.playerId, file, tracks: this.recordTracks.length }, 'recording');
    } catch (err) {
      this.end('RECORD_FAILED', `${file}: ${(err as Error).message}`);
    }
  }

  private cameraFrame(data: Buffer, keyframe: boolean): void {
    if (this.ended) return;
    this.cameraArrived();
    this.starting ??= this.startPipeline().catch((err: Error) => this.end('PIPELINE_FAILED', err.message));
    if (this.skipToKeyframe && !keyframe) return this.requestKeyframe();
    this.skipToKeyframe = false;
    const stdin = this.input?.io?.stdin;
    if (!stdin) {
      // Still starting: hold the frames since the last keyframe, so the decoder begins with one.
      if (keyframe) this.held = [];
      if (this.held.length < MAX_HELD_FRAMES) this.held.push(data);
      return;
    }
    if (stdin.writableLength > MAX_INPUT_BACKLOG_BYTES) {
      this.skipToKeyframe = true;
      this.droppedFrames++;
      this.requestKeyframe();
      return;
    }
    this.writeCamera(data);
  }

  private writeCamera(data: Buffer): void {
    const stdin = this.input?.io?.stdin;
    if (!stdin) return;
    stdin.write(this.o.settings.codec === 'vp8' ? ivfFrame(data, Date.now() - this.startedAt) : data);
    if (this.o.fn.kind === 'filter') this.guard.frameIn(Date.now());
  }

  private async startPipeline(): Promise<void> {
    const { o } = this;
    const socket = await openRtpSocket(o.settings.rtpHost, 0);
    this.socket = socket;
    if (this.ended) return void (await socket.close());
    const settings: PipelineSettings = { ...o.settings, rtpPort: socket.port };
    socket.onPacket((packet) => {
      if (this.ended) return;
      // In filter mode the encoder's frames (marker bit) are the function's output.
      if (o.fn.kind === 'filter' && (packet[1]! & 0x80) !== 0) this.verdict(this.guard.frameOut());
      this.output?.writeRtp(packet);
    });
    const env = { ...process.env, ...o.env };
    if (o.fn.kind === 'filter') {
      this.input = this.spawn('function', o.ffmpegPath, filterPipelineArgs(settings, o.fn.graph), env, true);
    } else if (o.fn.kind === 'exec') {
      const format = o.pixelFormat;
      const bytes = frameBytes(format, settings.width, settings.height);
      const encoder = this.spawn('encoder', o.ffmpegPath, encoderPipelineArgs(settings, format), env, false);
      const fn = this.spawn(
        'function',
        'sh',
        ['-c', o.fn.command],
        {
          ...env,
          FRAME_WIDTH: String(settings.width),
          FRAME_HEIGHT: String(settings.height),
          FRAME_FPS: String(settings.fps),
          FRAME_FORMAT: format,
          FRAME_BYTES: String(bytes),
          SESSION_ID: o.playerId,
        },
        true,
      );
      const decoder = this.spawn('decoder', o.ffmpegPath, decoderArgs(settings, format), env, false);
      this.pipeFrames(decoder, fn, bytes, () => this.guard.frameIn(Date.now()));
      this.pipeFrames(fn, encoder, bytes, () => this.verdict(this.guard.frameOut()));
      this.readSideChannel(fn);
      this.input = decoder;
    }
    // IVF starts with its file header; H.264 (Annex B) needs none.
    if (o.settings.codec === 'vp8')
      this.input?.io?.stdin.write(ivfFileHeader(settings.width, settings.height));
    for (const frame of this.held.splice(0)) this.writeCamera(frame);
    this.guardTimer = setInterval(() => this.verdict(this.guard.check(Date.now())), GUARD_PERIOD_MS);
    o.log.info({ playerId: o.playerId, function: o.fn.kind }, 'processing started');
  }

  /** Whole frames from `from`'s stdout to `to`'s stdin; a frame is dropped when `to` is still busy. */
  private pipeFrames(from: GuardedChild, to: GuardedChild, bytes: number, counted: () => void): void {
    const splitter = new FrameSplitter(bytes);
    const stdin = to.io!.stdin;
    from.io!.stdout.on('data', (chunk: Buffer) => {
      for (const frame of splitter.push(chunk)) {
        if (this.ended) return;
        counted();
        if (stdin.writableLength >= bytes * MAX_RAW_BACKLOG_FRAMES) this.droppedFrames++;
        else stdin.write(frame);
      }
    });
  }

  private readSideChannel(fn: GuardedChild): void {
    const lines = new LineSplitter(this.o.maxEventBytes);
    const side = fn.io!.side;
    side.setEncoding('utf8');
    side.on('data', (chunk: string) => {
      if (this.ended) return;
      const cut = lines.push(chunk);
      if (!cut.ok) return this.end('FUNCTION_FLOOD', cut.reason);
      for (const line of cut.lines) {
        if (this.verdict(this.guard.event(Date.now()))) return;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          value = undefined;
        }
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          this.o.log.warn(
            { code: 'FUNCTION_BAD_RESULT', playerId: this.o.playerId, line: line.slice(0, 200) },
            'function result ignored: not a JSON object',
          );
          continue;
        }
        this.o.onResult(value as Record<string, unknown>);
      }
    });
  }

  private spawn(
    role: 'function' | 'decoder' | 'encoder',
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    limited: boolean,
  ): GuardedChild {
    const child = spawnGuarded(command, args, env, {
      piped: true,
      ...(limited ? { limits: this.o.limits } : {}),
    });
    this.children.push(child);
    const tail: string[] = [];
    child.onStderrLine((line) => {
      tail.push(line);
      if (tail.length > STDERR_TAIL_LINES) tail.shift();
      this.o.log.debug({ playerId: this.o.playerId, line }, `${role} stderr`);
    });
    void child.exited.then((exitCode) => {
      if (this.ended) return;
      const why = `${role} exited with ${exitCode}${tail.length ? `: ${tail.slice(-3).join(' | ')}` : ''}`;
      this.end(role === 'function' ? 'FUNCTION_CRASHED' : 'PIPELINE_FAILED', why);
    });
    return child;
  }

  /** Ends the session on a guard's verdict; true when it did. */
  private verdict(v: Verdict | undefined): boolean {
    if (!v) return false;
    this.end(v.code, v.reason);
    return true;
  }

  private end(code: EndCode, reason: string): void {
    if (this.ended) return;
    this.o.onEnd(code, reason);
    void this.close();
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.o.onClosed();
    clearInterval(this.guardTimer);
    clearTimeout(this.cameraTimer);
    this.depacketizer?.destroy();
    await Promise.all(this.children.map((c) => c.stop(1_000)));
    await this.starting;
    await this.socket?.close();
    await this.recorder?.stop().catch(() => undefined);
  }
}
