// The ffmpeg source's encoder lifecycle as explicit states and one pure transition function; the I/O
// (launching, retiring, timers) stays in encoder-source.ts and acts on what a transition returns.

/** Where the source's encoders stand. `E` is an encoder (generic so the table is tested without I/O). */
export type EncoderState<E> =
  /** The first encoder, or a restart after a crash, is being launched. */
  | { kind: 'starting' }
  /** `active` feeds the players; `pending`, a keyframe replacement, takes over at its first packet. */
  | { kind: 'running'; active: E; pending: E | undefined }
  /** The active encoder died: waiting out the back-off before a restart. */
  | { kind: 'backingOff' }
  /** The encoder kept failing; the source gave up. */
  | { kind: 'failed' }
  /** close() was called: nothing runs and nothing starts any more. */
  | { kind: 'closed' };

export type EncoderEvent<E> =
  /** A launch finished; `replacement` when it was a keyframe restart (the active encoder kept running). */
  | { kind: 'launched'; enc: E; replacement: boolean }
  /** The back-off ended: a restart is launched. */
  | { kind: 'retry' }
  | { kind: 'firstPacket'; enc: E }
  /** `enc` exited on its own; `restart` is the back-off decision, false to give up. */
  | { kind: 'exited'; enc: E; restart: boolean }
  | { kind: 'close' };

export interface Transition<E> {
  state: EncoderState<E>;
  /** Encoders to stop (replaced, launched too late, or closed). */
  retire: E[];
  /** The active encoder died: log it and decide (back off or give up). */
  activeExited?: true;
  /** A pending replacement died before taking over. */
  pendingExited?: true;
}

const same = <E>(state: EncoderState<E>, retire: E[] = []): Transition<E> => ({ state, retire });

/** The one place the encoder lifecycle changes. */
export function encoderTransition<E>(state: EncoderState<E>, event: EncoderEvent<E>): Transition<E> {
  if (event.kind === 'close') {
    const running = state.kind === 'running' ? [state.active, state.pending] : [];
    return same(
      { kind: 'closed' },
      running.filter((e): e is E => e !== undefined),
    );
  }
  switch (state.kind) {
    case 'closed':
    case 'failed':
      // Whatever finishes launching now is not wanted.
      return same(state, event.kind === 'launched' ? [event.enc] : []);
    case 'backingOff':
      if (event.kind === 'retry') return same({ kind: 'starting' });
      return same(state, event.kind === 'launched' ? [event.enc] : []);
    case 'starting':
      if (event.kind === 'launched' && !event.replacement)
        return same({ kind: 'running', active: event.enc, pending: undefined });
      return same(state, event.kind === 'launched' ? [event.enc] : []);
    case 'running':
      switch (event.kind) {
        case 'launched':
          if (!event.replacement || state.pending !== undefined) return same(state, [event.enc]);
          return same({ ...state, pending: event.enc });
        case 'firstPacket':
          // Make before break: the replacement takes over at its first packet (a keyframe).
          if (event.enc !== state.pending) return same(state);
          return same({ kind: 'running', active: event.enc, pending: undefined }, [state.active]);
        case 'exited':
          if (event.enc === state.pending)
            return { ...same({ ...state, pending: undefined }), pendingExited: true };
          if (event.enc !== state.active) return same(state);
          return {
            ...same<E>(event.restart ? { kind: 'backingOff' } : { kind: 'failed' }),
            activeExited: true,
          };
        case 'retry':
          return same(state);
      }
  }
}
