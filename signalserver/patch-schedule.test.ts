// The pod patcher's timing rules as tables: the quiet period, the doubling back-off and its cap, and a
// change that arrives during a back-off. pod-patcher.test.ts runs them once end to end in real time.
import { describe, expect, it } from 'vitest';
import { initialPatchClock, planPatch, type PatchClock, type PatchStep } from './patch-schedule.js';

const timing = { debounceMs: 100, retryInitialMs: 500, retryMaxMs: 3000 };

/** Runs the steps from the initial clock; one row per step: the timer armed (or '-') and the clock after. */
function run(steps: PatchStep[]): [string, number | '-', number, boolean][] {
  let clock: PatchClock = initialPatchClock(timing);
  return steps.map((s) => {
    const plan = planPatch(clock, s, timing);
    clock = plan.clock;
    const name = 'pending' in s ? `${s.on}${s.pending ? '' : ' (settled)'}` : s.on;
    return [name, plan.armMs ?? '-', clock.retryDelayMs, clock.backingOff];
  });
}

const change: PatchStep = { on: 'change' };
const fire: PatchStep = { on: 'fire' };
const failed: PatchStep = { on: 'failed', pending: true };
const accepted: PatchStep = { on: 'accepted', pending: false };

describe('pod patch schedule', () => {
  it('each change of a burst restarts the quiet period; an accepted call resets nothing else', () => {
    expect(run([change, change, change, fire, accepted])).toEqual([
      ['change', 100, 500, false],
      ['change', 100, 500, false],
      ['change', 100, 500, false],
      ['fire', '-', 500, false],
      ['accepted (settled)', '-', 500, false],
    ]);
  });

  it('a failed call is retried after a delay that doubles up to the cap', () => {
    expect(run([fire, failed, fire, failed, fire, failed, fire, failed, fire, failed])).toEqual([
      ['fire', '-', 500, false],
      ['failed', 500, 1000, true],
      ['fire', '-', 1000, false],
      ['failed', 1000, 2000, true],
      ['fire', '-', 2000, false],
      ['failed', 2000, 3000, true],
      ['fire', '-', 3000, false],
      ['failed', 3000, 3000, true],
      ['fire', '-', 3000, false],
      ['failed', 3000, 3000, true],
    ]);
  });

  it('a change during a back-off keeps the retry timer; once the retry fires, changes debounce again', () => {
    expect(run([fire, failed, change, change, fire, change])).toEqual([
      ['fire', '-', 500, false],
      ['failed', 500, 1000, true],
      ['change', '-', 1000, true],
      ['change', '-', 1000, true],
      ['fire', '-', 1000, false],
      ['change', 100, 1000, false],
    ]);
  });

  it('an accepted call resets the back-off, and debounces what changed while it ran', () => {
    expect(run([fire, failed, fire, failed, fire, { on: 'accepted', pending: true }, fire, failed])).toEqual([
      ['fire', '-', 500, false],
      ['failed', 500, 1000, true],
      ['fire', '-', 1000, false],
      ['failed', 1000, 2000, true],
      ['fire', '-', 2000, false],
      ['accepted', 100, 500, false],
      ['fire', '-', 500, false],
      ['failed', 500, 1000, true],
    ]);
  });

  it('a failed call whose state was changed back to the accepted one arms nothing, yet still backs off', () => {
    expect(run([fire, { on: 'failed', pending: false }, change])).toEqual([
      ['fire', '-', 500, false],
      ['failed (settled)', '-', 1000, false],
      ['change', 100, 1000, false],
    ]);
  });
});
