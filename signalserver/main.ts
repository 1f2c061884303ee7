// Entry point: env → config (exit 2 listing every problem) → sidecar; SIGTERM/SIGINT drain, then exit 0.
import { EXIT_WITH_PARENT_ENV, configOrExit, createLogger, exitWithParent } from '../common/index.js';
import { ListenError, loadSidecarConfig, startSidecar, type Sidecar } from './index.js';

const config = configOrExit(() => loadSidecarConfig(process.env), 'signalserver');
const log = createLogger('signalserver', config.logLevel);
// The handlers are in place before the sidecar starts, so a signal sent the moment `listening` is logged is
// never met by Node's default action (death by the signal, no drain); one that arrives while it starts takes
// effect as soon as it is up.
let sidecar: Sidecar | undefined;
let stopping = false;
async function shutdown(s: Sidecar): Promise<void> {
  await s.drain();
  await s.close();
  process.exit(0); // log lines are written synchronously (common/logger.ts): nothing is left to flush
}
function onSignal(signal: string): void {
  if (stopping) {
    // A second signal means "now": an operator at a terminal should not wait out DRAIN_TIMEOUT_SECONDS.
    log.warn({ signal }, 'second signal during drain: closing live sessions now');
    void Promise.resolve(sidecar?.close()).then(() => process.exit(0));
    return;
  }
  stopping = true;
  log.info({ signal }, 'shutting down');
  if (sidecar) void shutdown(sidecar);
}
process.on('SIGTERM', () => onSignal('SIGTERM'));
process.on('SIGINT', () => onSignal('SIGINT'));
if (config.exitWithParent) exitWithParent({ [EXIT_WITH_PARENT_ENV]: '1' });

sidecar = await startSidecar(config, log, { podPatcher: { env: process.env } }).catch((err: unknown) => {
  if (!(err instanceof ListenError)) throw err;
  // Like a bad environment: one plain line naming the variables, whatever LOG_LEVEL, and no stack trace.
  process.stderr.write(`signalserver: cannot start: ${err.message}\n`);
  process.exit(1);
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
if (stopping) void shutdown(sidecar);
