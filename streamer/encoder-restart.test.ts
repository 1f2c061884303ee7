// When the streamer restarts a failed encoder and when it gives up (a source that appears late, such as an X
// display starting up, is waited for).
import { describe, expect, it } from 'vitest';
import { loadStreamerConfig } from './config.js';
import { encoderRestart, giveUpAfterMs } from './encoder-restart.js';

describe('encoderRestart', () => {
  it.each([
    // An encoder that had sent packets is restarted quickly, whatever the bound.
    [0, 1, { kind: 'restart', delayMs: 500 }],
    [0, 6, { kind: 'restart', delayMs: 500 }],
    [1, 6, { kind: 'restart', delayMs: 500 }],
    [2, 6, { kind: 'restart', delayMs: 1_000 }],
    [3, 6, { kind: 'restart', delayMs: 2_000 }],
    [4, 6, { kind: 'restart', delayMs: 5_000 }],
    [5, 6, { kind: 'restart', delayMs: 10_000 }],
    [6, 6, { kind: 'give-up' }],
    [1, 1, { kind: 'give-up' }],
    // 0: the old behaviour, restart forever at the longest back-off.
    [100, 0, { kind: 'restart', delayMs: 10_000 }],
  ])('%i failed in a row, bound %i', (failed, max, decision) => {
    expect(encoderRestart(failed, max)).toEqual(decision);
  });

  it('by default waits ~18 s for a source that appears late (an X display starting up) before giving up', () => {
    const { encoderMaxFailedStarts } = loadStreamerConfig({});
    expect(encoderMaxFailedStarts).toBe(6);
    expect(giveUpAfterMs(encoderMaxFailedStarts)).toBe(18_500);
    expect(giveUpAfterMs(3)).toBe(1_500);
    expect(giveUpAfterMs(1)).toBe(0);
  });
});
