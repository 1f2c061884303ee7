// Entry point of the reference streamer: env → config → start; stops cleanly (encoder included) on
// SIGTERM/SIGINT and never leaves an encoder behind on a crash.
import { configOrExit, createLogger, exitWithParent } from '../common/index.js';
import { loadStreamerConfig } from './config.js';
import { startStreamer, StreamerError } from './streamer.js';

const config = configOrExit(() => loadStreamerConfig(process.env), 'streamer');
const log = createLogger('streamer', config.logLevel);

process.on('uncaughtException', (err) => {
  log.fatal({ msg: 'uncaught exception', code: 'CRASH', err: err.stack ?? err.message });
  process.exit(1); // the 'exit' hook in guarded-child.ts kills the encoder group
});

try {
  const streamer = await startStreamer(config, log);
  log.info({
    msg: 'streaming',
    source: streamer.source.description,
    codec: streamer.source.codec,
    signalling: new URL(config.url).origin,
    streamerId: config.streamerId,
  });
  let stopping = false;
  const stop = (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    log.info({ msg: 'stopping', reason });
    const force = setTimeout(() => process.exit(1), 5_000);
    void streamer.close().then(() => {
      clearTimeout(force);
      process.exit(exitCode);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM', 0));
  process.on('SIGINT', () => stop('SIGINT', 0));
  // A source that gave up (ENCODER_FAILED, logged with the reason) would leave a black page behind a
  // healthy-looking pod: exit 1 so the pod restarts visibly.
  void streamer.source.failed.then((reason) => stop(reason, 1));
  exitWithParent();
} catch (err) {
  const code = err instanceof StreamerError ? err.code : 'START_FAILED';
  log.fatal({ msg: 'streamer failed to start', code, err: err instanceof Error ? err.message : String(err) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100);
}
