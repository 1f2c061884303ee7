// Entry point: env → config (exit 2 listing every problem) → sidecar; SIGTERM/SIGINT drain, then exit 0.
import { EXIT_WITH_PARENT_ENV, configOrExit, createLogger, exitWithParent } from '../common/index.js';
import { ListenError, loadSidecarConfig, startSidecar } from './index.js';

const config = configOrExit(() => loadSidecarConfig(process.env), 'signalserver');
const log = createLogger('signalserver', config.logLevel);
const sidecar = await startSidecar(config, log, { podPatcher: { env: process.env } }).catch(
  (err: unknown) => {
    if (!(err instanceof ListenError)) throw err;
    // Like a bad environment: one plain line naming the variables, whatever LOG_LEVEL, and no stack trace.
    process.stderr.write(`signalserver: cannot start: ${err.message}\n`);
    process.exit(1);
  },
);
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

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    // A second signal means "now": an operator at a terminal should not wait out DRAIN_TIMEOUT_SECONDS.
    log.warn({ signal }, 'second signal during drain: closing live sessions now');
    await sidecar.close();
    log.flush();
    process.exit(0);
  }
  stopping = true;
  log.info({ signal }, 'shutting down');
  await sidecar.drain();
  await sidecar.close();
  log.flush();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
if (config.exitWithParent) exitWithParent({ [EXIT_WITH_PARENT_ENV]: '1' });
