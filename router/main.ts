// Router entry point: environment → config → start. Signals as every kit process answers them
// (common/run-service.ts): the first SIGTERM/SIGINT stops it gracefully (not ready at once, serving through
// SHUTDOWN_DELAY_SECONDS, piped players drained) and exits 0; a second exits at once (143/130).
import { configOrExit, createLogger, runService } from '../common/index.js';
import { loadRouterConfig, startRouter } from './index.js';

const config = configOrExit(() => loadRouterConfig(process.env), 'router');
const log = createLogger('router', config.logLevel);

await runService({
  log,
  start: () => startRouter(config, log),
  stop: (r) => r.shutdown(),
  startFailed: (err) => {
    log.fatal({ code: 'START_FAILED', err }, 'router failed to start');
    return 1;
  },
});
