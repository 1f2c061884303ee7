// Entry point: env → config (exit 2 listing every problem) → sidecar. Signals as every kit process answers
// them (common/run-service.ts): the first SIGTERM/SIGINT drains, then exits 0; a second closes live sessions
// now and exits 143/130.
import {
  EXIT_WITH_PARENT_ENV,
  configOrExit,
  createLogger,
  exitWithParent,
  runService,
} from '../common/index.js';
import { ListenError, loadSidecarConfig, startSidecar } from './index.js';

const config = configOrExit(() => loadSidecarConfig(process.env), 'signalserver');
const log = createLogger('signalserver', config.logLevel);
if (config.exitWithParent) exitWithParent({ [EXIT_WITH_PARENT_ENV]: '1' });

const { service: sidecar } = await runService({
  log,
  start: () => startSidecar(config, log, { podPatcher: { env: process.env } }),
  stop: async (s) => {
    await s.drain();
    await s.close();
  },
  abort: (s) => s.close(),
  startFailed: (err) => {
    if (!(err instanceof ListenError)) throw err;
    // Like a bad environment: one plain line naming the variables, whatever LOG_LEVEL, and no stack trace.
    process.stderr.write(`signalserver: cannot start: ${err.message}\n`);
    return 1;
  },
});
// Supervisors and tests wait for this line, so it is written even when LOG_LEVEL hides info lines.
const announce = config.logLevel === 'silent' ? log : log.child({}, { level: 'info' });
announce.info(
  {
    playerPort: sidecar.ports.player,
    streamerPort: sidecar.ports.streamer,
    sfuPort: sidecar.ports.sfu,
    metricsPort: sidecar.ports.metrics,
  },
  'listening',
);
