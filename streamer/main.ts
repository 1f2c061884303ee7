// Entry point of the reference streamer: env → config → start; stops cleanly (encoder included) on
// SIGTERM/SIGINT and never leaves an encoder behind on a crash. The handlers are in place before the start,
// so a signal sent as soon as the streamer logs is never met by Node's default action (death by the signal,
// skipping the clean-up).
import { configOrExit, createLogger, exitWithParent } from '../common/index.js';
import { loadStreamerConfig } from './config.js';
import { startStreamer, StreamerError, type Streamer } from './streamer.js';

const config = configOrExit(() => loadStreamerConfig(process.env), 'streamer');
const log = createLogger('streamer', config.logLevel);

process.on('uncaughtException', (err) => {
  log.fatal({ msg: 'uncaught exception', code: 'CRASH', err: err.stack ?? err.message });
  process.exit(1); // the 'exit' hook in guarded-child.ts kills the encoder group
});

let streamer: Streamer | undefined;
let stopping = false;
const stop = (reason: string, exitCode: number) => {
  if (stopping) return;
  stopping = true;
  log.info({ msg: 'stopping', reason });
  // Still starting: nothing to close gracefully, and the 'exit' hook kills an encoder already spawned.
  if (!streamer) process.exit(exitCode);
  const force = setTimeout(() => process.exit(1), 5_000);
  void streamer.close().then(() => {
    clearTimeout(force);
    process.exit(exitCode);
  });
};
process.on('SIGTERM', () => stop('SIGTERM', 0));
process.on('SIGINT', () => stop('SIGINT', 0));
exitWithParent();

try {
  streamer = await startStreamer(config, log);
  log.info({
    msg: 'streaming',
    source: streamer.source.description,
    codec: streamer.source.codec,
    signalling: new URL(config.url).origin,
    streamerId: config.streamerId,
  });
  // A source that gave up (ENCODER_FAILED, logged with the reason) would leave a black page behind a
  // healthy-looking pod: exit 1 so the pod restarts visibly.
  void streamer.source.failed.then((reason) => stop(reason, 1));
} catch (err) {
  const code = err instanceof StreamerError ? err.code : 'START_FAILED';
  log.fatal({ msg: 'streamer failed to start', code, err: err instanceof Error ? err.message : String(err) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100);
}
