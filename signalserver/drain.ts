// Graceful drain: once started, the pod refuses new subscriptions and reservations and waits for live
// sessions to end (or the timeout), so a scale-down never cuts a player off mid-session.

export interface DrainTarget {
  /** Live sessions that drain waits for. */
  liveSessions(): number;
  /** Subscribe to "something changed"; returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
}

/** Resolves `'idle'` when no session is left, `'timeout'` after `timeoutMs`. */
export function waitForIdle(target: DrainTarget, timeoutMs: number): Promise<'idle' | 'timeout'> {
  return new Promise((resolve) => {
    if (target.liveSessions() === 0) {
      resolve('idle');
      return;
    }
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    const off = target.onChange(() => {
      if (target.liveSessions() === 0) finish('idle');
    });
    function finish(result: 'idle' | 'timeout') {
      clearTimeout(timer);
      off();
      resolve(result);
    }
  });
}
