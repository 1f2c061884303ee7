// TURN entrypoint: env → config → external-IP discovery → turnserver.conf → coturn in the foreground.
// Exit codes: 2 bad configuration, 3 external IP undiscoverable, 0 after a stop by SIGTERM/SIGINT,
// otherwise coturn's own. Signals are handled by runService like every other service of the kit: the
// first stops coturn gracefully, a second kills it and exits 128 + n. A first signal before coturn is
// spawned (during discovery, which can take seconds) abandons the start: coturn is never spawned.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { configOrExit } from '../common/env-config.js';
import { createLogger } from '../common/logger.js';
import { loadTurnConfig } from './config.js';
import { createTurnMetrics, serveMetrics } from './metrics.js';
import { coturnPrometheusOptions, startCoturn } from './coturn-process.js';
import { discoverAddresses, ExternalIpError } from './external-ip.js';
import { waitUntilAnswering } from './probe.js';
import { isWildcard, renderTurnserverConf } from './render-config.js';
import { runService } from '../common/run-service.js';

const config = configOrExit(() => loadTurnConfig(process.env), 'turn');
const logger = createLogger('turn', config.logLevel);

/** Logs one coded fatal line and exits (log lines are written synchronously: nothing is left to flush). */
function fatal(exitCode: number, fields: { code: string } & Record<string, unknown>, msg: string): never {
  logger.fatal(fields, msg);
  process.exit(exitCode);
}

const metrics = createTurnMetrics();
let stopping = false;
const running = await runService({
  log: logger,
  async start(signal) {
    if (config.metrics) {
      const options = coturnPrometheusOptions(config.turnserverBin);
      if (options.error !== undefined)
        fatal(
          127,
          { code: 'COTURN_SPAWN_FAILED', err: options.error },
          `${config.turnserverBin} cannot be run`,
        );
      const unsupported = !options.exporter
        ? 'was built without the Prometheus exporter'
        : !options.address && !isWildcard(config.metrics.host)
          ? `cannot bind its exporter to TURN_EXPORTER_HOST=${config.metrics.host} (no --prometheus-address; it would listen on every interface)`
          : undefined;
      if (unsupported !== undefined) {
        fatal(
          2,
          { code: 'METRICS_UNSUPPORTED' },
          `TURN_METRICS=true but ${config.turnserverBin} ${unsupported}`,
        );
      }
    }

    if (!config.externalIp) logger.info('discovering the external address');
    const addresses = await discoverAddresses(config, signal).catch((err: unknown) => {
      if (!(err instanceof ExternalIpError)) throw err;
      return fatal(3, { code: err.code, attempts: err.attempts }, err.message);
    });
    logger.info({ ...addresses }, 'external address');
    signal.throwIfAborted();

    const confPath = path.join(config.runDir, 'turnserver.conf');
    try {
      mkdirSync(config.runDir, { recursive: true, mode: 0o700 });
      // The file holds the shared secret: readable by this user only.
      writeFileSync(confPath, renderTurnserverConf(config, addresses, { runDir: config.runDir }), {
        mode: 0o600,
      });
    } catch (err) {
      // Typically a read-only root filesystem without the emptyDir the DaemonSet must mount there.
      fatal(
        2,
        { code: 'RUN_DIR_UNWRITABLE', err: (err as Error).message },
        `cannot write ${confPath}: TURN_RUN_DIR must be a writable directory (mount an emptyDir)`,
      );
    }

    if (config.exporter) {
      try {
        const { port } = await serveMetrics(metrics, config.exporter.host, config.exporter.port);
        logger.info({ metricsPort: port }, 'metrics listening');
      } catch (err) {
        fatal(
          2,
          { code: 'EXPORTER_LISTEN_FAILED', err: (err as Error).message },
          `cannot listen on ${config.exporter.host}:${config.exporter.port} for metrics`,
        );
      }
    }
    signal.throwIfAborted(); // never spawn coturn after a stop
    const coturn = startCoturn(config.turnserverBin, confPath, logger, (e) => metrics.observe(e));
    logger.info(
      { pid: coturn.pid, listenPort: config.listenPort, relayPorts: `${config.minPort}-${config.maxPort}` },
      'coturn started',
    );
    void waitUntilAnswering(config.listenPort).then(
      (ms) => {
        metrics.setUp(true);
        logger.info({ listenPort: config.listenPort, readyMs: ms }, 'ready');
      },
      (err: Error) =>
        logger.error({ code: 'COTURN_NOT_ANSWERING', err: err.message }, 'coturn does not answer STUN'),
    );
    return coturn;
  },
  async stop(coturn, reason) {
    stopping = true;
    logger.info({ reason, signal: 'SIGTERM' }, 'forwarding signal to coturn');
    coturn.stop('SIGTERM');
    await coturn.exited;
  },
  abort(coturn) {
    coturn.stop('SIGKILL');
  },
});

// coturn ending on its own ends the container with coturn's status; after a stop, runService exits.
const code = await running.service.exited;
metrics.setUp(false);
logger.info({ exitCode: code }, 'coturn exited');
if (!stopping) process.exit(code);
