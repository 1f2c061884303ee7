// Router entry point: environment → config → start. The first SIGTERM/SIGINT stops it gracefully (not ready
// at once, serving through SHUTDOWN_DELAY_SECONDS, piped players drained) and exits 0; a second exits at once.
// The handlers are in place before the router starts, so a signal sent the moment `listening` is logged is
// never met by Node's default action (death by the signal); one that arrives while it starts takes effect as
// soon as it is up.
import { constants } from 'node:os';
import { configOrExit, createLogger } from '../common/index.js';
import { loadRouterConfig, startRouter, type Router } from './index.js';

const config = configOrExit(() => loadRouterConfig(process.env), 'router');
const log = createLogger('router', config.logLevel);

let router: Router | undefined;
let stopping = false;
const shutdown = (r: Router) => void r.shutdown().then(() => process.exit(0));
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) {
      log.warn({ signal }, 'second signal; exiting now');
      process.exit(128 + constants.signals[signal]);
    }
    stopping = true;
    log.info({ signal }, 'shutting down (send it again to exit at once)');
    if (router) shutdown(router);
  });
}

router = await startRouter(config, log).catch((err: unknown) => {
  log.fatal({ err }, 'router failed to start');
  process.exit(1);
});
if (stopping) shutdown(router);
