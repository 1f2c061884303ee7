// Entry point of the reference streamer: env → config → start. Signals as every kit process answers them
// (common/run-service.ts): the first SIGTERM/SIGINT stops it cleanly, encoder included, and exits 0; a second
// exits at once (143/130). It never leaves an encoder behind: on any exit the 'exit' hook in
// guarded-child.ts kills the encoder's process group.
import { configOrExit, createLogger, exitWithParent, runService } from '../common/index.js';
import { loadStreamerConfig } from './config.js';
import { startStreamer, StreamerError } from './streamer.js';

const config = configOrExit(() => loadStreamerConfig(process.env), 'streamer');
const log = createLogger('streamer', config.logLevel);

process.on('uncaughtException', (err) => {
  log.fatal({ code: 'CRASH', err: err.stack ?? err.message }, 'uncaught exception');
  process.exit(1);
});
exitWithParent();

/** An orderly stop that hangs (a peer that never closes) must not keep the pod from stopping. */
const STOP_TIMEOUT_MS = 5_000;

const running = await runService({
  log,
  start: () => startStreamer(config, log),
  stop: (streamer) =>
    new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        log.warn({ code: 'STOP_TIMEOUT' }, 'clean stop took too long; exiting');
        resolve();
      }, STOP_TIMEOUT_MS);
      void streamer.close().finally(() => {
        clearTimeout(force);
        resolve();
      });
    }),
  startFailed: (err) => {
    const code = err instanceof StreamerError ? err.code : 'START_FAILED';
    log.fatal({ code, err: err instanceof Error ? err.message : String(err) }, 'streamer failed to start');
    return 1;
  },
});
const { service: streamer } = running;
log.info(
  {
    source: streamer.source.description,
    codec: streamer.source.codec,
    signalling: new URL(config.url).origin,
    streamerId: config.streamerId,
  },
  'streaming',
);
// A source that gave up (ENCODER_FAILED, logged with the reason) would leave a black page behind a
// healthy-looking pod: exit 1 so the pod restarts visibly.
void streamer.source.failed.then((reason) => running.stop(reason, 1));
