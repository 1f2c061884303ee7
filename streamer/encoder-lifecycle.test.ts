// The encoder lifecycle table: which encoders each event keeps, replaces or stops.
import { describe, expect, it } from 'vitest';
import { encoderTransition, type EncoderEvent, type EncoderState } from './encoder-lifecycle.js';

type S = EncoderState<string>;
const running = (active: string, pending?: string): S => ({ kind: 'running', active, pending });
const launched = (enc: string, replacement = false): EncoderEvent<string> => ({
  kind: 'launched',
  enc,
  replacement,
});

describe('encoderTransition', () => {
  it.each<[string, S, EncoderEvent<string>, S, string[]]>([
    ['first launch runs', { kind: 'starting' }, launched('a'), running('a'), []],
    ['a replacement waits for its first packet', running('a'), launched('b', true), running('a', 'b'), []],
    ['a second replacement is not wanted', running('a', 'b'), launched('c', true), running('a', 'b'), ['c']],
    [
      'the replacement takes over at its first packet',
      running('a', 'b'),
      { kind: 'firstPacket', enc: 'b' },
      running('b'),
      ['a'],
    ],
    [
      'packets of the active encoder change nothing',
      running('a', 'b'),
      { kind: 'firstPacket', enc: 'a' },
      running('a', 'b'),
      [],
    ],
    [
      'a crash backs off',
      running('a'),
      { kind: 'exited', enc: 'a', restart: true },
      { kind: 'backingOff' },
      [],
    ],
    [
      'a crash past the bound gives up',
      running('a'),
      { kind: 'exited', enc: 'a', restart: false },
      { kind: 'failed' },
      [],
    ],
    [
      'a dead replacement is dropped',
      running('a', 'b'),
      { kind: 'exited', enc: 'b', restart: true },
      running('a'),
      [],
    ],
    ['the back-off ends in a restart', { kind: 'backingOff' }, { kind: 'retry' }, { kind: 'starting' }, []],
    [
      'a replacement launched during the back-off is stopped',
      { kind: 'backingOff' },
      launched('b', true),
      { kind: 'backingOff' },
      ['b'],
    ],
    ['close stops both encoders', running('a', 'b'), { kind: 'close' }, { kind: 'closed' }, ['a', 'b']],
    ['close during the back-off', { kind: 'backingOff' }, { kind: 'close' }, { kind: 'closed' }, []],
    [
      'a launch finishing after close is stopped',
      { kind: 'closed' },
      launched('c'),
      { kind: 'closed' },
      ['c'],
    ],
    ['a retry after close starts nothing', { kind: 'closed' }, { kind: 'retry' }, { kind: 'closed' }, []],
    [
      'a launch finishing after giving up is stopped',
      { kind: 'failed' },
      launched('c'),
      { kind: 'failed' },
      ['c'],
    ],
  ])('%s', (_name, state, event, next, retire) => {
    const t = encoderTransition(state, event);
    expect(t.state).toEqual(next);
    expect(t.retire).toEqual(retire);
  });

  it('flags which encoder exited, and only one that matters', () => {
    expect(
      encoderTransition(running('a', 'b'), { kind: 'exited', enc: 'a', restart: true }).activeExited,
    ).toBe(true);
    expect(
      encoderTransition(running('a', 'b'), { kind: 'exited', enc: 'b', restart: true }).pendingExited,
    ).toBe(true);
    const stale = encoderTransition(running('a'), { kind: 'exited', enc: 'old', restart: true });
    expect([stale.activeExited, stale.pendingExited]).toEqual([undefined, undefined]);
    const closed = encoderTransition<string>({ kind: 'closed' }, { kind: 'exited', enc: 'a', restart: true });
    expect([closed.activeExited, closed.pendingExited]).toEqual([undefined, undefined]);
  });
});
