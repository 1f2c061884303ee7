// Runs coturn in the foreground as our child: its plain-text log lines become JSON lines of ours, SIGHUP
// and SIGQUIT are passed on (SIGTERM/SIGINT go through runService, which stops coturn), and our exit code
// is coturn's when it ends on its own — the container lives and dies with the relay.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from '../common/logger.js';
import { classifyCoturnLine, type CoturnEvent } from './coturn-log.js';
import { WarningLimiter } from '../common/warning-limiter.js';

/**
 * Which Prometheus options this coturn build lists in `-h`: the exporter itself (upstream images have it;
 * Debian's 4.6.1 does not) and `--prometheus-address` (newer builds; older ones bind every interface).
 */
export function coturnPrometheusOptions(bin: string): {
  exporter: boolean;
  address: boolean;
  /** Why `bin -h` could not be run at all (missing binary, not executable). */
  error?: string;
} {
  const help = spawnSync(bin, ['-h'], { encoding: 'utf8', timeout: 5_000 });
  const text = `${help.stdout ?? ''}${help.stderr ?? ''}`;
  return {
    exporter: text.includes('--prometheus'),
    address: text.includes('--prometheus-address'),
    ...(help.error ? { error: help.error.message } : {}),
  };
}

export interface CoturnChild {
  pid: number;
  /** Resolves with the exit code to use for our own process (128 + n after signal n). */
  exited: Promise<number>;
  stop(signal?: NodeJS.Signals): void;
}

const FORWARDED: NodeJS.Signals[] = ['SIGHUP', 'SIGQUIT'];
const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGTERM: 15,
};

export function startCoturn(
  bin: string,
  confPath: string,
  logger: Logger,
  onEvent?: (e: CoturnEvent) => void,
): CoturnChild {
  const child = spawn(bin, ['-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = logger.child({ source: 'coturn' });
  const limiter = new WarningLimiter();
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      const e = classifyCoturnLine(line);
      if (!e) return;
      onEvent?.(e);
      if (!log.isLevelEnabled(e.level)) return;
      const verdict = e.code
        ? limiter.check(`${e.code}|${e.fields.user ?? e.fields.peer ?? ''}`)
        : { allow: true, suppressed: 0 };
      if (!verdict.allow) return;
      log[e.level](
        {
          ...e.fields,
          ...(e.code ? { code: e.code } : {}),
          ...(verdict.suppressed > 0 ? { suppressedWarnings: verdict.suppressed } : {}),
          coturn: e.text,
        },
        e.code ? e.code.toLowerCase().replace(/_/g, ' ') : 'coturn',
      );
    });
  }
  const forward = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'forwarding signal to coturn');
    child.kill(signal);
  };
  for (const s of FORWARDED) process.on(s, forward);
  const exited = new Promise<number>((resolve) => {
    child.once('error', (err) => {
      log.error({ err: err.message, code: 'COTURN_SPAWN_FAILED' }, 'coturn could not be started');
      resolve(127);
    });
    child.once('exit', (code, signal) => {
      for (const s of FORWARDED) process.off(s, forward);
      resolve(code ?? 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 0) : 0));
    });
  });
  return { pid: child.pid ?? -1, exited, stop: (signal = 'SIGTERM') => void child.kill(signal) };
}
