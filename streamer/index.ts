// Public surface of the reference streamer (for the local stack, tests and benchmarks).
export { loadStreamerConfig, type StreamerConfig, type Codec } from './config.js';
export { startStreamer, StreamerError, type Streamer } from './streamer.js';
export { decodeInput, encodeInput, type InputEvent } from './input-protocol.js';
