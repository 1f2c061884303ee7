// For processes started by a supervisor script (npm start's local stack): when the supervisor dies, even by
// SIGKILL, the pipe it holds on our stdin closes, and we stop as if sent SIGTERM. Opt-in through
// EXIT_WITH_PARENT=1, because in a container stdin is usually closed from the start.

export const EXIT_WITH_PARENT_ENV = 'EXIT_WITH_PARENT';

/** Sends this process SIGTERM once stdin reaches its end; does nothing unless EXIT_WITH_PARENT=1. */
export function exitWithParent(env: Record<string, string | undefined> = process.env): void {
  if (env[EXIT_WITH_PARENT_ENV] !== '1') return;
  const stdin = process.stdin;
  stdin.on('error', () => undefined);
  stdin.once('close', () => process.kill(process.pid, 'SIGTERM'));
  stdin.resume(); // reading is what lets us see the end; the supervisor never writes
}
