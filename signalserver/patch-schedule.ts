// When the pod patcher sends its next patch: a change waits out a quiet period (only the last state of a
// burst is sent), a failed call is retried after a delay that doubles up to a cap, and a change arriving
// while a retry waits keeps that retry's delay (the retry sends the latest state anyway). Pure, so the
// timing rules are tested as a table; pod-patcher.ts only owns the timer and the calls.

export interface PatchTiming {
  /** quiet time before a change is sent */
  readonly debounceMs: number;
  /** first retry delay after a failed patch */
  readonly retryInitialMs: number;
  /** the cap of the doubling retry delay */
  readonly retryMaxMs: number;
}

export interface PatchClock {
  /** the delay of the next retry, should the next call fail */
  readonly retryDelayMs: number;
  /** the armed timer is a retry: a change must not cut its back-off short */
  readonly backingOff: boolean;
}

/**
 * What happened: `change` (allocation or node fill moved), `fire` (the timer ran and a call may start),
 * `accepted` or `failed` (a call ended; `pending` = what is wanted still differs from what was accepted).
 */
export type PatchStep =
  | { readonly on: 'change' }
  | { readonly on: 'fire' }
  | { readonly on: 'accepted'; readonly pending: boolean }
  | { readonly on: 'failed'; readonly pending: boolean };

export interface PatchPlan {
  readonly clock: PatchClock;
  /** (re)arm the timer with this delay; undefined = leave the timer as it is */
  readonly armMs: number | undefined;
}

export const initialPatchClock = (t: PatchTiming): PatchClock => ({
  retryDelayMs: t.retryInitialMs,
  backingOff: false,
});

export function planPatch(clock: PatchClock, step: PatchStep, t: PatchTiming): PatchPlan {
  switch (step.on) {
    case 'change':
      return { clock, armMs: clock.backingOff ? undefined : t.debounceMs };
    case 'fire':
      return { clock: { ...clock, backingOff: false }, armMs: undefined };
    case 'accepted':
      return {
        clock: { retryDelayMs: t.retryInitialMs, backingOff: false },
        armMs: step.pending ? t.debounceMs : undefined,
      };
    case 'failed':
      return {
        clock: { retryDelayMs: Math.min(clock.retryDelayMs * 2, t.retryMaxMs), backingOff: step.pending },
        armMs: step.pending ? clock.retryDelayMs : undefined,
      };
  }
}
