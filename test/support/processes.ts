// Real child processes for tests and benchmarks: started with `node --import tsx` (no npx wrapper, which
// orphans children), their JSON log lines parsed as they arrive, and killed by PID — never left running.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface LogLine {
  msg?: string;
  level?: string;
  [key: string]: unknown;
}

export interface RunningProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every JSON line the process printed so far (stdout and stderr); non-JSON lines as `{msg: text}`. */
  readonly lines: LogLine[];
  /** Resolves with the first line (past or future) matching `pred`; rejects after `timeoutMs` or on exit. */
  waitFor(pred: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Sends `signal` and resolves with the exit code once the process is gone (SIGKILL after `graceMs`). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Starts `script` (a .ts path relative to the repo root) with `env` added to this process's env.
 * `ownProcessGroup`: it leads a process group of its own, as a command a shell runs in the foreground does,
 * so a test can signal the whole group the way a terminal's Ctrl-C does (`process.kill(-pid, 'SIGINT')`).
 */
export function startNode(
  script: string,
  env: Record<string, string | undefined> = {},
  args: string[] = [],
  { ownProcessGroup = false }: { ownProcessGroup?: boolean } = {},
): RunningProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(repoRoot, script), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: ownProcessGroup,
  });
  return track(child);
}

/** Wraps any spawned child the same way. */
export function track(child: ChildProcess): RunningProcess {
  if (child.pid === undefined) throw new Error('process failed to start');
  live.add(child);
  const lines: LogLine[] = [];
  const waiters = new Set<{ pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }>();
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve(code ?? (signal ? 128 : null));
    });
  });
  const onData = (stream: NodeJS.ReadableStream) => {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const text = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!text.trim()) continue;
        let line: LogLine;
        try {
          const parsed: unknown = JSON.parse(text);
          line = typeof parsed === 'object' && parsed !== null ? (parsed as LogLine) : { msg: text };
        } catch {
          line = { msg: text };
        }
        lines.push(line);
        if (process.env.TEST_CHILD_LOGS === '1') process.stderr.write(`[${child.pid}] ${text}\n`);
        for (const w of waiters) {
          if (w.pred(line)) {
            waiters.delete(w);
            w.resolve(line);
          }
        }
      }
    });
  };
  if (child.stdout) onData(child.stdout);
  if (child.stderr) onData(child.stderr);

  return {
    child,
    pid: child.pid,
    lines,
    exited,
    waitFor(pred, timeoutMs = 15_000) {
      const past = lines.find(pred);
      if (past) return Promise.resolve(past);
      return new Promise<LogLine>((resolve, reject) => {
        const w = { pred, resolve: (l: LogLine) => (clearTimeout(timer), resolve(l)) };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for a log line; last lines:\n${lines
                .slice(-10)
                .map((l) => JSON.stringify(l))
                .join('\n')}`,
            ),
          );
        }, timeoutMs);
        waiters.add(w);
        void exited.then((code) => {
          if (waiters.delete(w)) {
            clearTimeout(timer);
            reject(
              new Error(
                `process exited (${code}) before the expected log line; last lines:\n${lines
                  .slice(-10)
                  .map((l) => JSON.stringify(l))
                  .join('\n')}`,
              ),
            );
          }
        });
      });
    },
    async stop(signal = 'SIGTERM', graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** A TCP port that was free a moment ago (for programs that cannot report a port-0 bind). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * True while a process with this PID still runs. A zombie (exited, not yet reaped) counts as gone: when
 * its parent was killed it is reparented to PID 1, and where PID 1 is not an init that reaps orphans
 * (many CI containers) it stays a zombie for good, although none of its code runs any more.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false; // gone between the two looks
  }
}

/** `pid`, its command line and its state letter (Linux /proc), for messages about a process that lingers. */
export function describeProcess(pid: number): string {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return `pid ${pid} (${cmd.slice(0, 160)}) state ${state}`;
  } catch {
    return `pid ${pid} (gone)`;
  }
}

/** Direct children of `pid` (Linux /proc), to check that a whole process tree is gone. */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
