// Encoder children that cannot outlive the streamer. Node has no prctl(PR_SET_PDEATHSIG), so each child runs
// under a tiny POSIX-shell watchdog that holds the read end of a pipe from us: when the streamer dies in any
// way (exit, crash, SIGKILL, OOM kill) the kernel closes the pipe, `cat` sees EOF and the watchdog kills the
// encoder. Orderly shutdowns also signal the child's whole process group, synchronously on 'exit'.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

export interface GuardedChild {
  readonly pid: number;
  /** Resolves with the child's exit code (or 128+signal) once it and its watchdog are gone. */
  readonly exited: Promise<number>;
  /** SIGTERM to the process group, SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number>;
  onStderrLine(listener: (line: string) => void): void;
  /** With `piped`: the command's stdin, stdout and fd 3 (a side channel it writes to). */
  readonly io?: { stdin: Writable; stdout: Readable; side: Readable };
}

export interface GuardOptions {
  env?: NodeJS.ProcessEnv;
  /** Give the command pipes on stdin, stdout and fd 3 instead of /dev/null (the watchdog then uses fd 4). */
  piped?: boolean;
  /** Bounds for an untrusted command: address space (`ulimit -v`, KiB) and CPU priority (`nice -n`). */
  limits?: { addressSpaceKib: number; nice: number };
}

// Waiting for the command and passing on its exit status, shared by both watchdogs.
const WAIT_AND_EXIT = [
  'trap \'kill -TERM "$c" 2>/dev/null\' TERM INT',
  'wait "$c"; rc=$?',
  // A trapped TERM interrupts the first wait; wait again for the real exit status.
  'kill -0 "$c" 2>/dev/null && { wait "$c"; rc=$?; }',
  'kill "$w" 2>/dev/null',
  'exit "$rc"',
];

// $0 is the command; the watchdog reads fd 3 (our pipe). Explicit redirection is needed because a
// non-interactive shell gives background jobs /dev/null as stdin.
const WATCHDOG = [
  'exec 3<&0',
  '"$0" "$@" </dev/null & c=$!',
  '( cat <&3 >/dev/null; kill -TERM "$c" 2>/dev/null; sleep 2; kill -KILL "$c" 2>/dev/null ) & w=$!',
  ...WAIT_AND_EXIT,
].join('\n');

// The same watchdog for a command that talks on stdin/stdout/fd 3: our pipe is fd 4. The shell's own copies
// of the command's pipes are closed once it runs, so its end of each pipe is the only one left. $1 and $2
// are the limits (0 = none).
const PIPED_WATCHDOG = [
  'v=$1; n=$2; shift 2',
  'exec 5<&0',
  '( [ "$v" -gt 0 ] && ulimit -v "$v"; exec nice -n "$n" "$0" "$@" <&5 5<&- 4<&- ) & c=$!',
  'exec 5<&- 0</dev/null 1>/dev/null 3>&-',
  '( cat <&4 >/dev/null; kill -TERM "$c" 2>/dev/null; sleep 2; kill -KILL "$c" 2>/dev/null ) & w=$!',
  ...WAIT_AND_EXIT,
].join('\n');

const live = new Set<ChildProcess>();
let hooked = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

function hookProcessExit(): void {
  if (hooked) return;
  hooked = true;
  // 'exit' handlers must be synchronous: a signal is all we can do here (and all that is needed).
  process.on('exit', () => {
    for (const child of live) killGroup(child, 'SIGKILL');
  });
}

/** Starts `command args` in its own process group under the watchdog. */
export function spawnGuarded(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  options: GuardOptions = {},
): GuardedChild {
  hookProcessExit();
  const limits = options.limits ?? { addressSpaceKib: 0, nice: 0 };
  const child = options.piped
    ? spawn(
        'sh',
        ['-c', PIPED_WATCHDOG, command, String(limits.addressSpaceKib), String(limits.nice), ...args],
        { detached: true, stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'], env },
      )
    : spawn('sh', ['-c', WATCHDOG, command, ...args], {
        detached: true,
        stdio: ['pipe', 'ignore', 'pipe'],
        env,
      });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const pid = child.pid;
  live.add(child);
  // Our end of the watchdog pipe stays open for the child's whole life; it is never written to.
  const watchdogPipe = (options.piped ? child.stdio[4] : child.stdin) as Writable | null;
  watchdogPipe?.on('error', () => undefined);
  const io = options.piped
    ? {
        stdin: child.stdin,
        stdout: child.stdout as Readable,
        side: child.stdio[3] as Readable,
      }
    : undefined;
  io?.stdin.on('error', () => undefined);
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
  const listeners: ((line: string) => void)[] = [];
  let buf = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) for (const l of listeners) l(line);
    }
    if (buf.length > 65_536) buf = ''; // a runaway line without newline: drop it rather than grow
  });
  return {
    pid,
    exited,
    ...(io ? { io } : {}),
    onStderrLine: (l) => void listeners.push(l),
    async stop(graceMs = 3_000) {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      // The group may still hold the watchdog's sleeper; make sure nothing of it lingers.
      killGroup(child, 'SIGKILL');
      return code;
    },
  };
}
