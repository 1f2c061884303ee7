// How every long-running process of the kit starts and stops, so the sidecar, the router and the streamer
// answer signals the same way:
//
// - The SIGTERM/SIGINT handlers are installed before the service starts. A signal sent the moment the
//   service announces itself is never met by Node's default action (death by the signal, no clean-up).
// - A first signal that arrives while it starts aborts the AbortSignal `start` is given. A start that
//   honours it and rejects with its abort error ends the process at once ('stopped during start') with the
//   code a stop would give (0); one that ignores it, or resolves anyway, is stopped as soon as it is up.
// - The first signal stops the service gracefully (`stop`), and the process exits with the code `stop`
//   resolves to (0 for a clean stop).
// - A second signal means "now": `abort` gets at most ABORT_GRACE_MS to close what it can (live sockets
//   with a reason), then the process exits 128 + the signal's number (143 for SIGTERM, 130 for SIGINT).
// - A start that fails exits with the code `startFailed` returns (1 by default, after one coded fatal line).
//
// Log lines are written synchronously (logger.ts), so nothing waits to be flushed before an exit.
import { constants } from 'node:os';
import type { Logger } from './logger.js';

/** How long a second signal waits for `abort` before the process exits regardless. */
export const ABORT_GRACE_MS = 1_000;

export interface ServiceSpec<S> {
  readonly log: Logger;
  /**
   * Starts the service; the returned promise settles once it serves. `signal` is aborted by a first
   * SIGTERM/SIGINT during the start: a start may give up early by rejecting with an AbortError (what
   * Node's APIs throw on an aborted signal, and `signal.throwIfAborted()`), or ignore it.
   */
  start(signal: AbortSignal): Promise<S>;
  /** The graceful stop after the first signal (or a `stop()` call); resolves to nothing. */
  stop(service: S, reason: string): Promise<void>;
  /** Best-effort immediate shutdown on a second signal, e.g. closing live sockets with a reason. */
  abort?(service: S): Promise<void> | void;
  /** A failed start: log it and return the exit code. By default a START_FAILED fatal line and 1. */
  startFailed?(err: unknown): number;
}

export interface RunningService<S> {
  readonly service: S;
  /** Stops gracefully as on a first signal, then exits with `exitCode`; later calls are ignored. */
  stop(reason: string, exitCode: number): void;
}

type Signal = 'SIGTERM' | 'SIGINT';

/** Exit status of a process that ends because of `signal`, as a shell reports it. */
export const signalExitCode = (signal: Signal): number => 128 + constants.signals[signal];

/** The rejection of a start that gave up because its signal was aborted. */
const isAbortError = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';

export async function runService<S>(spec: ServiceSpec<S>): Promise<RunningService<S>> {
  const { log } = spec;
  let service: S | undefined;
  let pending: { reason: string; exitCode: number } | undefined;
  let stopping = false;
  const starting = new AbortController();

  const stop = (reason: string, exitCode: number): void => {
    if (stopping) return;
    if (service === undefined) {
      pending ??= { reason, exitCode };
      starting.abort();
      return;
    }
    stopping = true;
    log.info({ reason }, 'stopping (a second SIGTERM or SIGINT stops at once)');
    const s = service;
    void spec.stop(s, reason).then(
      () => process.exit(exitCode),
      (err: unknown) => {
        log.error({ code: 'STOP_FAILED', err }, 'graceful stop failed');
        process.exit(1);
      },
    );
  };

  const onSignal = (signal: Signal): void => {
    if (!stopping && pending === undefined) {
      stop(signal, 0);
      return;
    }
    log.warn({ signal }, 'second signal: exiting now');
    const exit = () => process.exit(signalExitCode(signal));
    if (service === undefined || spec.abort === undefined) exit();
    setTimeout(exit, ABORT_GRACE_MS).unref();
    void Promise.resolve()
      .then(() => spec.abort?.(service as S))
      .finally(exit);
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));

  const started = await spec.start(starting.signal).catch((err: unknown): never => {
    if (pending && isAbortError(err)) {
      log.info({ reason: pending.reason }, 'stopped during start');
      process.exit(pending.exitCode);
    }
    if (spec.startFailed) process.exit(spec.startFailed(err));
    log.fatal({ code: 'START_FAILED', err }, 'failed to start');
    process.exit(1);
  });
  service = started;
  if (pending) stop(pending.reason, pending.exitCode);
  return { service: started, stop };
}
