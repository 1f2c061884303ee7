// Router entry point: environment → config → start; SIGTERM/SIGINT close it (players resume elsewhere).
import { configOrExit, createLogger } from '../common/index.js';
import { loadRouterConfig, startRouter } from './index.js';

const config = configOrExit(() => loadRouterConfig(process.env), 'router');
const log = createLogger('router', config.logLevel);
const router = await startRouter(config, log).catch((err: unknown) => {
  log.fatal({ err }, 'router failed to start');
  process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'shutting down');
    void router.close().then(() => process.exit(0));
  });
}
