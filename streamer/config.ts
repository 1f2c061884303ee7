// The reference streamer's configuration: every variable, its default and its rule in one place, read from
// the environment once at start-up. A bad environment stops the streamer with every problem listed.
import {
  about,
  checked,
  envBool,
  envEnum,
  envInt,
  envList,
  envLogLevel,
  envNumber,
  envSecret,
  envString,
  envUrl,
  parseEnv,
  ruleFor,
  type Env,
  type LOG_LEVELS,
} from '../common/index.js';
import { AUDIO_MODES, type AudioMode } from './audio-plan.js';
import { PIXEL_FORMATS, type PixelFormat } from './processing/pipeline-args.js';
import { parseSourceSpec, type SourceSpec } from './source-spec.js';
import { FANOUT_SEND_MODES, type FanoutSendMode } from './srtp-send.js';

export const CODECS = ['vp8', 'h264'] as const;
export type Codec = (typeof CODECS)[number];
/**
 * How a new player gets its first keyframe: 'gop-cache' sends it the current group of pictures at once;
 * 'gop' waits for the next keyframe; 'restart' starts a fresh encoder (make-before-break). README has the
 * measurements behind the default.
 */
export const KEYFRAME_STRATEGIES = ['gop-cache', 'gop', 'restart'] as const;
export type KeyframeStrategy = (typeof KEYFRAME_STRATEGIES)[number];

/** Width and height: 4:2:0 video needs both even. */
const envEvenSize = (def: number, max: number) =>
  checked(envInt(def, 16, max), (v) => (v % 2 === 0 ? undefined : 'must be even (4:2:0 video)'));

const shape = {
  STREAMER_URL: envUrl(['ws', 'wss'], 'ws://127.0.0.1:8888'),
  STREAMER_TOKEN: envSecret(),
  STREAMER_ID: envString('DefaultStreamer'),
  STREAM_SOURCE: checked<string, SourceSpec>(envString('testsrc'), (v) => {
    const parsed = parseSourceSpec(v);
    return parsed.ok ? { value: parsed.spec } : parsed.reason;
  }),
  STREAM_CODEC: envEnum(CODECS, 'vp8'),
  STREAM_WIDTH: envEvenSize(1280, 7680),
  STREAM_HEIGHT: envEvenSize(720, 4320),
  STREAM_FPS: envInt(30, 1, 240),
  STREAM_BITRATE_KBPS: envInt(2500, 50, 100_000),
  // Seconds between keyframes; a new player waits at most this long for its first picture.
  KEYFRAME_INTERVAL_SECONDS: envNumber(1, 0.1, 60),
  KEYFRAME_STRATEGY: envEnum(KEYFRAME_STRATEGIES, 'gop-cache'),
  HW_ENCODER: envEnum(['auto', 'nvenc', 'cpu'] as const, 'auto'),
  // auto: the source's own audio when it has some; tone: also a test tone when it has none; off: video only.
  STREAM_AUDIO: envEnum(AUDIO_MODES, 'auto'),
  // rtp: sources only: Opus RTP from the external encoder on this UDP port (0 = no audio).
  RTP_AUDIO_PORT: envInt(0, 0, 65535),
  // Encoder starts in a row that end without one RTP packet before the streamer exits 1 (0 = never): with
  // the 0.5 s → 10 s back-off, 6 waits ~18 s for a source that appears late, such as an X display.
  ENCODER_MAX_FAILED_STARTS: envInt(6, 0, 1000),
  FFMPEG_PATH: envString('ffmpeg'),
  FALLBACK_CLIP: envString(),
  RTP_HOST: envString('127.0.0.1'),
  ICE_EXTRA_HOSTS: envList(['127.0.0.1']),
  ICE_PORT_MIN: envInt(0, 0, 65535),
  ICE_PORT_MAX: envInt(0, 0, 65535),
  INPUT_INJECT: envBool(true),
  // One log line per decoded input message; mouse moves arrive at display rate, so fleets may turn it off.
  LOG_INPUT: envBool(true),
  RECONNECT_MIN_MS: envInt(250, 10, 60_000),
  RECONNECT_MAX_MS: envInt(10_000, 100, 600_000),
  MAX_PEERS: envInt(16, 1, 1000),
  // A player whose WebRTC connection is not up this long after it joined is told why and disconnected.
  PEER_CONNECT_TIMEOUT_SECONDS: envInt(30, 2, 600),
  STATS_INTERVAL_SECONDS: envInt(10, 1, 3600),
  LOG_LEVEL: envLogLevel(),
  // process: sources only (README: Processing). Raw frame format of exec: functions.
  PROCESS_PIXEL_FORMAT: envEnum(PIXEL_FORMATS, 'rgb24'),
  // Input waiting this long without one output frame ends the session (FUNCTION_STALLED).
  PROCESS_STALL_SECONDS: envNumber(10, 1, 600),
  // Side-channel results per second a function may send (bursts up to the same number), and their size.
  PROCESS_MAX_EVENTS_PER_SECOND: envInt(50, 1, 10_000),
  PROCESS_MAX_EVENT_BYTES: envInt(16_384, 64, 1_048_576),
  // Address space of the function process (ulimit -v), MiB; 0 = unbounded. Numpy alone maps ~300 MiB.
  PROCESS_MEMORY_MB: envInt(2048, 0, 1_048_576),
  PROCESS_NICE: envInt(10, 0, 19),
  // A connected player whose camera sends nothing this long is disconnected (PROCESS_NO_CAMERA).
  PROCESS_CAMERA_TIMEOUT_SECONDS: envInt(20, 1, 600),
  RECORD_DIR: envString('recordings'),
  // How packets leave for players: native (the srtp-send addon: batched, one AES context per player),
  // js (a Node cipher and a send per packet), or auto (native when the addon loads).
  FANOUT_SEND: envEnum(FANOUT_SEND_MODES, 'auto'),
};

export interface StreamerConfig {
  url: string;
  token: string | undefined;
  streamerId: string;
  source: SourceSpec;
  codec: Codec;
  width: number;
  height: number;
  fps: number;
  bitrateKbps: number;
  keyframeIntervalSeconds: number;
  keyframeStrategy: KeyframeStrategy;
  hwEncoder: 'auto' | 'nvenc' | 'cpu';
  audio: AudioMode;
  rtpAudioPort: number;
  encoderMaxFailedStarts: number;
  ffmpegPath: string;
  fallbackClip: string | undefined;
  rtpHost: string;
  iceExtraHosts: string[];
  icePortRange: [number, number] | undefined;
  inputInject: boolean;
  logInput: boolean;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  maxPeers: number;
  peerConnectTimeoutSeconds: number;
  statsIntervalSeconds: number;
  logLevel: (typeof LOG_LEVELS)[number];
  fanoutSend: FanoutSendMode;
  processing: ProcessingConfig;
}

/** Settings of process: sources (unused by the others). */
export interface ProcessingConfig {
  pixelFormat: PixelFormat;
  stallSeconds: number;
  maxEventsPerSecond: number;
  maxEventBytes: number;
  memoryMb: number;
  nice: number;
  cameraTimeoutSeconds: number;
  recordDir: string;
}

const rule = ruleFor(shape);

/** Rules between variables; each runs when the variables it names parsed (see parseEnv). */
const RULES = [
  rule(['ICE_PORT_MIN', 'ICE_PORT_MAX'], (c) => {
    if (c.ICE_PORT_MIN === 0 && c.ICE_PORT_MAX !== 0)
      return about('ICE_PORT_MIN', ['needed with ICE_PORT_MAX (set both or neither)']);
    if (c.ICE_PORT_MAX === 0 && c.ICE_PORT_MIN !== 0)
      return about('ICE_PORT_MAX', ['needed with ICE_PORT_MIN (set both or neither)']);
    return c.ICE_PORT_MIN > c.ICE_PORT_MAX
      ? about('ICE_PORT_MIN', [`must be ≤ ICE_PORT_MAX (${c.ICE_PORT_MAX})`])
      : [];
  }),
  rule(['RECONNECT_MIN_MS', 'RECONNECT_MAX_MS'], (c) =>
    c.RECONNECT_MIN_MS > c.RECONNECT_MAX_MS
      ? about('RECONNECT_MIN_MS', [`must be ≤ RECONNECT_MAX_MS (${c.RECONNECT_MAX_MS})`])
      : [],
  ),
  rule(['RTP_AUDIO_PORT', 'STREAM_SOURCE'], (c) =>
    c.RTP_AUDIO_PORT > 0 && c.STREAM_SOURCE.kind === 'rtp' && c.STREAM_SOURCE.port === c.RTP_AUDIO_PORT
      ? about('RTP_AUDIO_PORT', ['must differ from the video port of STREAM_SOURCE'])
      : [],
  ),
];

/** Builds the typed config from `env`; throws ConfigError naming every bad variable. */
export function loadStreamerConfig(env: Env): StreamerConfig {
  const raw = parseEnv(shape, env, RULES);
  return {
    url: raw.STREAMER_URL,
    token: raw.STREAMER_TOKEN,
    streamerId: raw.STREAMER_ID,
    source: raw.STREAM_SOURCE,
    codec: raw.STREAM_CODEC,
    width: raw.STREAM_WIDTH,
    height: raw.STREAM_HEIGHT,
    fps: raw.STREAM_FPS,
    bitrateKbps: raw.STREAM_BITRATE_KBPS,
    keyframeIntervalSeconds: raw.KEYFRAME_INTERVAL_SECONDS,
    keyframeStrategy: raw.KEYFRAME_STRATEGY,
    hwEncoder: raw.HW_ENCODER,
    audio: raw.STREAM_AUDIO,
    rtpAudioPort: raw.RTP_AUDIO_PORT,
    encoderMaxFailedStarts: raw.ENCODER_MAX_FAILED_STARTS,
    ffmpegPath: raw.FFMPEG_PATH,
    fallbackClip: raw.FALLBACK_CLIP,
    rtpHost: raw.RTP_HOST,
    iceExtraHosts: raw.ICE_EXTRA_HOSTS,
    icePortRange: raw.ICE_PORT_MIN > 0 ? [raw.ICE_PORT_MIN, raw.ICE_PORT_MAX] : undefined,
    inputInject: raw.INPUT_INJECT,
    logInput: raw.LOG_INPUT,
    reconnectMinMs: raw.RECONNECT_MIN_MS,
    reconnectMaxMs: raw.RECONNECT_MAX_MS,
    maxPeers: raw.MAX_PEERS,
    peerConnectTimeoutSeconds: raw.PEER_CONNECT_TIMEOUT_SECONDS,
    statsIntervalSeconds: raw.STATS_INTERVAL_SECONDS,
    logLevel: raw.LOG_LEVEL,
    fanoutSend: raw.FANOUT_SEND,
    processing: {
      pixelFormat: raw.PROCESS_PIXEL_FORMAT,
      stallSeconds: raw.PROCESS_STALL_SECONDS,
      maxEventsPerSecond: raw.PROCESS_MAX_EVENTS_PER_SECOND,
      maxEventBytes: raw.PROCESS_MAX_EVENT_BYTES,
      memoryMb: raw.PROCESS_MEMORY_MB,
      nice: raw.PROCESS_NICE,
      cameraTimeoutSeconds: raw.PROCESS_CAMERA_TIMEOUT_SECONDS,
      recordDir: raw.RECORD_DIR,
    },
  };
}
