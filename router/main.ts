// Router entry point: environment → config → start. The first SIGTERM/SIGINT stops it gracefully (not ready
// at once, serving through SHUTDOWN_DELAY_SECONDS, piped players drained) and exits 0; a second exits at once.
import { constants } from 'node:os';
import { configOrExit, createLogger } from '../common/index.js';
import { loadRouterConfig, startRouter } from './index.js';

const config = configOrExit(() => loadRouterConfig(process.env), 'router');
const log = createLogger('router', config.logLevel);
const router = await startRouter(config, log).catch((err: unknown) => {
  log.fatal({ err }, 'router failed to start');
  process.exit(1);
});

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) {
      log.warn({ signal }, 'second signal; exiting now');
      process.exit(128 + constants.signals[signal]);
    }
    stopping = true;
    log.info({ signal }, 'shutting down (send it again to exit at once)');
    void router.shutdown().then(() => process.exit(0));
  });
}
